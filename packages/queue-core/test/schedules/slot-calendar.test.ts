import { describe, expect, it } from 'vitest'
import { calendarOf, formatInZone, upcomingFires } from '../../src/index.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

describe('slot calendars', () => {
  it('cron in a timezone, seconds allowed', () => {
    const c = calendarOf({ cron: '*/20 * * * * *', timezone: 'Asia/Ho_Chi_Minh' })
    const at = Date.parse('2026-01-01T00:00:05Z')
    expect(iso(c.nextAfter(at))).toBe('2026-01-01T00:00:20.000Z')
    expect(iso(c.latestAtOrBefore(at))).toBe('2026-01-01T00:00:00.000Z')
    expect(iso(c.latestAtOrBefore(Date.parse('2026-01-01T00:00:20Z')))).toBe(
      '2026-01-01T00:00:20.000Z',
    )
  })

  it('a fixed interval on its anchor (startAt) or on the epoch', () => {
    const anchored = calendarOf({ everyMs: 90_000, startAt: '2026-01-01T00:00:10Z' })
    expect(iso(anchored.nextAfter(Date.parse('2026-01-01T00:00:00Z')))).toBe(
      '2026-01-01T00:00:10.000Z',
    )
    expect(iso(anchored.nextAfter(Date.parse('2026-01-01T00:00:10Z')))).toBe(
      '2026-01-01T00:01:40.000Z',
    )
    expect(anchored.latestAtOrBefore(Date.parse('2026-01-01T00:00:09Z'))).toBeNull()
    const epoch = calendarOf({ everyMs: 60_000 })
    expect(iso(epoch.nextAfter(Date.parse('2026-01-01T00:00:01Z')))).toBe(
      '2026-01-01T00:01:00.000Z',
    )
  })

  it('endAt closes the calendar', () => {
    const c = calendarOf({ cron: '0 * * * *', endAt: '2026-01-01T02:00:00Z' })
    expect(iso(c.nextAfter(Date.parse('2026-01-01T01:30:00Z')))).toBe('2026-01-01T02:00:00.000Z')
    expect(c.nextAfter(Date.parse('2026-01-01T02:00:00Z'))).toBeNull()
    expect(iso(c.latestAtOrBefore(Date.parse('2026-01-05T00:00:00Z')))).toBe(
      '2026-01-01T02:00:00.000Z',
    )
  })

  it('shows a time on the wall clock of its zone, with the offset', () => {
    const ms = Date.parse('2025-03-30T01:00:00Z')
    expect(formatInZone(ms, 'Europe/Berlin')).toBe('2025-03-30T03:00:00.000+02:00')
    expect(formatInZone(ms - 1, 'Europe/Berlin')).toBe('2025-03-30T01:59:59.999+01:00')
    expect(formatInZone(ms, 'Asia/Kolkata')).toBe('2025-03-30T06:30:00.000+05:30')
    expect(formatInZone(ms, 'America/St_Johns')).toBe('2025-03-29T22:30:00.000-02:30')
    expect(formatInZone(ms, 'UTC')).toBe('2025-03-30T01:00:00.000+00:00')
  })

  it('lists the next fire times, none while paused, none past the limit', () => {
    const spec = { cron: '0 8 * * *', timezone: 'Asia/Ho_Chi_Minh', type: 'sms', payload: {} }
    const from = Date.parse('2026-01-01T12:00:00Z')
    const next = upcomingFires({ spec, paused: false, record: null }, from, 5)
    expect(next.map((f) => f.local)).toEqual([
      '2026-01-02T08:00:00.000+07:00',
      '2026-01-03T08:00:00.000+07:00',
      '2026-01-04T08:00:00.000+07:00',
      '2026-01-05T08:00:00.000+07:00',
      '2026-01-06T08:00:00.000+07:00',
    ])
    expect(next[0]?.utc).toBe('2026-01-02T01:00:00.000Z')
    expect(upcomingFires({ spec, paused: true, record: null }, from, 5)).toEqual([])
    const record = { slotMs: from, state: 'fired' as const, token: 1, fires: 2, pending: null }
    expect(
      upcomingFires({ spec: { ...spec, limit: 3 }, paused: false, record }, from, 5),
    ).toHaveLength(1)
  })
})
