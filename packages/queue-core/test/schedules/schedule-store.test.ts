import { describe, expect, it } from 'vitest'
import {
  ConveyorError,
  decodeHistory,
  decodeRevision,
  decodeSlotRecord,
  ScheduleStore,
  syncScheduleFile,
  type ScheduleFileEntry,
} from '../../src/index.js'
import { harness, registry } from '../support/harness.js'

const sms = { phone: '+84912345678', message: 'Thông báo định kỳ' }
const everyMinute = { cron: '* * * * *', type: 'sms', payload: sms }

function storeOf(h = harness(), clock?: () => number) {
  return { h, store: new ScheduleStore({ connection: h.redis, registry, prefix: h.prefix, clock }) }
}

async function failure(promise: Promise<unknown>): Promise<ConveyorError> {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConveyorError)
  return err as ConveyorError
}

describe('schedule store', () => {
  it('creates, replaces (keeping identity) and leaves an unchanged spec alone', async () => {
    const { h, store } = storeOf()
    const first = await store.put('reminder', everyMinute)
    expect(first).toMatchObject({ created: true, changed: true })
    expect(first.schedule).toMatchObject({ name: 'reminder', revision: 1, paused: false })
    expect(first.schedule.id).toMatch(/^s:\d+$/)
    // Due at once: the leader looks at a new schedule right away, and is nudged.
    expect(first.schedule.dueAt).toBe(first.schedule.updatedAt)
    expect(await h.redis.llen(store.keys.nudge)).toBe(1)

    const same = await store.put('reminder', { ...everyMinute })
    expect(same).toMatchObject({ created: false, changed: false })
    expect(same.schedule.revision).toBe(1)

    const replaced = await store.put('reminder', { ...everyMinute, cron: '*/5 * * * *' })
    expect(replaced).toMatchObject({ created: false, changed: true })
    expect(replaced.schedule).toMatchObject({ id: first.schedule.id, revision: 2 })
    expect(replaced.schedule.spec.cron).toBe('*/5 * * * *')
    expect((await store.list()).map((s) => s.name)).toEqual(['reminder'])
  })

  it('names each bad field and stores nothing', async () => {
    const { h, store } = storeOf()
    const cases: [unknown, string][] = [
      [{ ...everyMinute, cron: '61 * * * *' }, '/cron'],
      [{ ...everyMinute, cron: '2026-01-01T00:00:00' }, '/cron'],
      [{ ...everyMinute, cron: '0 0 31 2 *' }, '/cron'],
      [{ ...everyMinute, timezone: 'Mars/Olympus' }, '/timezone'],
      [{ everyMs: 5000, type: 'sms', payload: sms, timezone: 'Nowhere/City' }, '/timezone'],
      [{ ...everyMinute, type: 'fax' }, '/type'],
      [{ ...everyMinute, payload: { phone: 'x', message: 'hi' } }, '/payload/phone'],
      [{ ...everyMinute, options: { priority: 12 } }, '/options/priority'],
      [{ ...everyMinute, options: { jobId: 'mine' } }, '/options/jobId'],
      [{ type: 'sms', payload: sms }, '/cron'],
      [{ ...everyMinute, everyMs: 5000 }, '/everyMs'],
      [{ everyMs: 10, type: 'sms', payload: sms }, '/everyMs'],
      [{ ...everyMinute, startAt: 'tomorrow' }, '/startAt'],
      [
        { ...everyMinute, startAt: '2026-01-02T00:00:00Z', endAt: '2026-01-01T00:00:00Z' },
        '/endAt',
      ],
      [{ ...everyMinute, limit: 0 }, '/limit'],
      [{ ...everyMinute, catchUp: 'twice' }, '/catchUp'],
      [{ ...everyMinute, color: 'red' }, '/color'],
    ]
    for (const [body, path] of cases) {
      const err = await failure(store.put('bad', body))
      expect(err.code, path).toBe('validation_failed')
      expect(
        err.details.map((d) => d.path),
        JSON.stringify(body),
      ).toContain(path)
    }
    expect(await h.redis.exists(store.keys.names, store.keys.defs, store.keys.due)).toBe(0)
  })

  it('patches fields, removes one with null, renames keeping the id', async () => {
    const { store } = storeOf()
    const { schedule } = await store.put('a', { ...everyMinute, limit: 3 })
    const patched = await store.patch('a', { payload: { ...sms, message: 'mới' }, limit: null })
    expect(patched.spec).toEqual({ ...everyMinute, payload: { ...sms, message: 'mới' } })
    const renamed = await store.patch('a', { name: 'b' })
    expect(renamed).toMatchObject({ id: schedule.id, name: 'b', revision: 3 })
    expect(await store.get('a')).toBeNull()
    await store.put('c', everyMinute)
    const taken = await failure(store.patch('b', { name: 'c' }))
    expect(taken.code).toBe('schedule_conflict')
    const bad = await failure(store.patch('b', { cron: 'nope' }))
    expect(bad.details.map((d) => d.path)).toEqual(['/cron'])
    expect((await failure(store.patch('zz', { limit: 1 }))).code).toBe('schedule_not_found')
    // Switching kinds: the old one removed in the same patch.
    const every = await store.patch('b', { cron: null, everyMs: 60_000 })
    expect(every.spec).toMatchObject({ everyMs: 60_000 })
    expect(every.spec.cron).toBeUndefined()
  })

  it('pauses and resumes; enabled:false stores it paused; a spec change keeps the state', async () => {
    const { store } = storeOf()
    await store.put('p', everyMinute)
    const paused = await store.setPaused('p', true)
    expect(paused).toMatchObject({ paused: true, revision: 2 })
    // Already paused: nothing written.
    expect((await store.setPaused('p', true)).revision).toBe(2)
    const edited = await store.put('p', { ...everyMinute, cron: '*/2 * * * *' })
    expect(edited.schedule.paused).toBe(true)
    expect((await store.setPaused('p', false)).paused).toBe(false)
    const off = await store.put('q', { ...everyMinute, enabled: false })
    expect(off.schedule.paused).toBe(true)
    expect((await store.patch('q', { enabled: true })).paused).toBe(false)
  })

  it('deletes a schedule at once when it owes no slot; its name can be reused', async () => {
    let now = Date.parse('2026-01-01T00:00:30Z')
    const { h, store } = storeOf(undefined, () => now)
    const { schedule } = await store.put('d', everyMinute)
    // The leader has looked at it: due at its next slot, after now.
    await h.redis.zadd(store.keys.due, Date.parse('2026-01-01T00:01:00Z'), schedule.id)
    await h.redis.lpush(store.keys.runs(schedule.id), '{}')
    now += 1000
    await store.delete('d')
    expect(await store.get('d')).toBeNull()
    expect(await h.redis.hget(store.keys.defs, schedule.id)).toBeNull()
    expect(await h.redis.exists(store.keys.runs(schedule.id))).toBe(0)
    expect(await h.redis.zscore(store.keys.due, schedule.id)).toBeNull()
    const again = await store.put('d', everyMinute)
    expect(again.schedule.id).not.toBe(schedule.id)
    expect((await failure(store.delete('nope'))).code).toBe('schedule_not_found')
  })

  it('keeps the revisions a late leader still owes slots of, and a tombstone for a delete', async () => {
    let now = Date.parse('2026-01-01T00:00:30Z')
    const { h, store } = storeOf(undefined, () => now)
    const { schedule } = await store.put('late', everyMinute)
    // Due at 00:01:00 and not yet decided at 00:01:00.5: that slot is the first revision's.
    await h.redis.zadd(store.keys.due, Date.parse('2026-01-01T00:01:00Z'), schedule.id)
    now = Date.parse('2026-01-01T00:01:00.500Z')
    await store.patch('late', { payload: { ...sms, message: 'v2' } })
    now += 100
    await store.delete('late')
    const history = decodeHistory(await h.redis.hget(store.keys.history, schedule.id))
    expect(history.map((r) => [r.revision, r.status, r.since])).toEqual([
      [1, 'active', Date.parse('2026-01-01T00:00:30Z')],
      [2, 'active', Date.parse('2026-01-01T00:01:00.500Z')],
    ])
    const current = decodeRevision(await h.redis.hget(store.keys.defs, schedule.id))
    expect(current).toMatchObject({ revision: 3, status: 'deleted', since: now, name: 'late' })
    // The name is free at once; the old identity waits for the leader.
    expect(await store.get('late')).toBeNull()
    expect((await store.put('late', everyMinute)).schedule.id).not.toBe(schedule.id)
  })

  it('refuses API edits of a file-managed schedule with 409; pause and resume are allowed', async () => {
    const { store } = storeOf()
    const file: ScheduleFileEntry[] = [
      { name: 'from-file', ...everyMinute },
      { name: 'other', everyMs: 5000, type: 'sms', payload: sms },
    ]
    expect(await syncScheduleFile(store, file)).toMatchObject({
      created: ['from-file', 'other'],
    })
    expect(await syncScheduleFile(store, file)).toMatchObject({
      created: [],
      unchanged: ['from-file', 'other'],
    })
    for (const attempt of [
      store.put('from-file', { ...everyMinute, cron: '*/2 * * * *' }),
      store.patch('from-file', { limit: 2 }),
      store.delete('from-file'),
    ]) {
      const err = await failure(attempt)
      expect(err.code).toBe('schedule_file_managed')
      expect(err.message).toMatch(/SCHEDULES_FILE/)
    }
    expect((await store.setPaused('from-file', true)).paused).toBe(true)
    // A restart with the same file keeps the operator's pause.
    await syncScheduleFile(store, file)
    expect((await store.require('from-file')).paused).toBe(true)
    // An API schedule of the same name as a file entry is taken over by the file; an
    // entry gone from the file is removed.
    await store.put('api-made', everyMinute)
    const result = await syncScheduleFile(store, [{ name: 'api-made', ...everyMinute }])
    expect(result).toMatchObject({ updated: ['api-made'], removed: ['from-file', 'other'] })
    expect((await store.require('api-made')).source).toBe('file')
  })

  it('carries a slot record an older scheduler kept under the name', async () => {
    const { h, store } = storeOf()
    await h.redis.hset(store.keys.slots, 'legacy', '1700000000000|fired|7')
    const { schedule } = await store.put('legacy', everyMinute)
    expect(await h.redis.hget(store.keys.slots, 'legacy')).toBeNull()
    expect(schedule.record).toEqual({
      slotMs: 1_700_000_000_000,
      state: 'fired',
      token: 7,
      fires: 0,
      pending: null,
    })
    expect(decodeSlotRecord('1|claimed|2|3|{"jobId":"x"}')?.pending).toEqual({ jobId: 'x' })
  })

  it('runs a schedule now with its own job id and lists it in its runs', async () => {
    const { h, store } = storeOf()
    await store.put('r', everyMinute)
    await store.setPaused('r', true)
    const { result } = await store.runNow('r', (job) =>
      h.queue.enqueue('sms', job.payload as typeof sms, job.options),
    )
    expect(result.id).toMatch(/^default:sched:r:run:[0-9a-f-]{36}$/)
    expect((await h.queue.getJob(result.id))?.payload).toEqual(sms)
    const { runs } = await store.history((await store.require('r')).id)
    expect(runs).toMatchObject([{ slotMs: null, jobId: result.id, kind: 'run' }])
  })
})
