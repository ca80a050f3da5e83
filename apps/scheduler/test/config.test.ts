import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { calendarOf, ConveyorError } from '@conveyor/queue-core'
import { loadConfig } from '@conveyor/service-kit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SchedulerConfig } from '../src/config.js'
import { loadSchedules, SEED_SCHEDULES } from '../src/schedules.js'
import { SchedulerProcess } from './support/process.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scheduler-config-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function schedulesFile(value: unknown): Promise<string> {
  const file = join(dir, 'schedules.json')
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value))
  return file
}

const badEmail = {
  name: 'bad-mail',
  cron: '* * * * *',
  type: 'email',
  payload: { to: 'x', subject: 'Hi', body: '' },
}

async function loadError(file: string): Promise<ConveyorError> {
  const err: unknown = await loadSchedules(file).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConveyorError)
  expect((err as ConveyorError).code).toBe('config_invalid')
  return err as ConveyorError
}

describe('config', () => {
  it('has the documented defaults', () => {
    expect(loadConfig('scheduler', SchedulerConfig, {})).toEqual({
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'conveyor',
      LOG_LEVEL: 'info',
      REDIS_CLUSTER: false,
      SCHEDULER_LEASE_MS: 15_000,
      SCHEDULER_CATCH_UP: 'once',
      LOG_FORMAT: 'auto',
      // OpenTelemetry's: off without an endpoint
      OTEL_SDK_DISABLED: false,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_METRIC_EXPORT_INTERVAL: 60_000,
      OTEL_BSP_SCHEDULE_DELAY: 5_000,
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    })
    const set = loadConfig('scheduler', SchedulerConfig, {
      SCHEDULES_FILE: '/etc/schedules.json',
      SCHEDULER_LEASE_MS: '5000',
      SCHEDULER_CATCH_UP: 'skip',
    })
    expect(set).toMatchObject({ SCHEDULER_LEASE_MS: 5000, SCHEDULER_CATCH_UP: 'skip' })
    expect(() => loadConfig('scheduler', SchedulerConfig, { SCHEDULER_CATCH_UP: 'twice' })).toThrow(
      /SCHEDULER_CATCH_UP/,
    )
  })

  it('loads and validates the seed schedules when SCHEDULES_FILE is not set', async () => {
    const seeds = await loadSchedules(undefined)
    expect(seeds.map(({ name, cron, type, payload }) => ({ name, cron, type, payload }))).toEqual([
      {
        name: 'email-reminder',
        cron: '* * * * *',
        type: 'email',
        payload: {
          to: 'user@example.com',
          subject: 'Nhắc nhở định kỳ',
          body: 'Đây là email nhắc nhở gửi định kỳ mỗi phút.',
        },
      },
      {
        name: 'sms-notice',
        cron: '*/5 * * * *',
        type: 'sms',
        payload: { phone: '+84912345678', message: 'Thông báo định kỳ' },
      },
    ])
    expect(SEED_SCHEDULES).toHaveLength(2)
    const at = Date.parse('2024-01-01T00:07:30Z')
    expect(seeds.map((s) => new Date(calendarOf(s).nextAfter(at) ?? 0).toISOString())).toEqual([
      '2024-01-01T00:08:00.000Z',
      '2024-01-01T00:10:00.000Z',
    ])
  })

  it('names the schedule and the field of a bad payload', async () => {
    const err = await loadError(await schedulesFile([badEmail]))
    expect(err.message).toContain('schedule "bad-mail"')
    expect(err.message).toContain('/payload/to')
  })

  it('reports every problem in the file at once', async () => {
    const file = await schedulesFile([
      { ...badEmail, name: 'ok', payload: { to: 'a@b.co', subject: 'Hi', body: '' } },
      { ...badEmail, name: 'ok', payload: { to: 'a@b.co', subject: 'Hi', body: '' } },
      { ...badEmail, name: 'fax', type: 'fax' },
      {
        ...badEmail,
        name: 'cron',
        cron: '61 * * * *',
        payload: { to: 'a@b.co', subject: 'Hi', body: '' },
      },
      {
        ...badEmail,
        name: 'tz',
        timezone: 'Mars/Olympus',
        payload: { to: 'a@b.co', subject: 'Hi', body: '' },
      },
      { ...badEmail, name: 'opts', options: { jobId: 'mine', priority: 12 } },
      { cron: '* * * * *' },
    ])
    const message = (await loadError(file)).message
    expect(message).toMatch(/schedule "ok" \(#1\): \/name .*earlier/)
    expect(message).toMatch(/schedule "fax" \(#2\): \/type .*known/)
    expect(message).toMatch(/schedule "cron" \(#3\): \/cron /)
    expect(message).toMatch(/schedule "tz" \(#4\): \/timezone /)
    expect(message).toMatch(/schedule "opts" \(#5\): \/options\/jobId is not allowed/)
    expect(message).toMatch(/schedule "opts" \(#5\): \/options\/priority /)
    expect(message).toMatch(/schedule #6: \/name is required/)
  })

  it('rejects a missing file, bad JSON and a non-array', async () => {
    expect((await loadError(join(dir, 'nope.json'))).message).toMatch(/cannot read/)
    expect((await loadError(await schedulesFile('[{'))).message).toMatch(/not valid JSON/)
    expect((await loadError(await schedulesFile({}))).message).toMatch(/JSON array/)
  })

  it('exits 2 with a readable message on a bad schedules file or environment', async () => {
    const bad = new SchedulerProcess({ SCHEDULES_FILE: await schedulesFile([badEmail]) })
    expect(await bad.exited).toBe(2)
    expect(bad.stderr).toContain('schedule "bad-mail"')
    expect(bad.stderr).toContain('/payload/to')
    expect(bad.lines).toEqual([])

    const env = new SchedulerProcess({ SCHEDULER_LEASE_MS: 'soon' })
    expect(await env.exited).toBe(2)
    expect(env.stderr).toMatch(/SCHEDULER_LEASE_MS: .*\(got "soon"\)/)
  })
})
