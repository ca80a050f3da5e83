/**
 * The three services against a local Redis Cluster (three masters started here):
 * the seed flows run, a worker SIGKILLed mid-job has its job finished by another, the
 * scheduler fires, and no process ever logs a CROSSSLOT (or any cross-slot) error.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedisCluster, type RedisClusterHandle } from '@conveyor/queue-core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  freePort,
  Service,
  servicesEnv,
  SmsSink,
  SmtpSink,
  tickSchedule,
  until,
  writeSchedules,
} from '@conveyor/test-support'

const HANGING_PHONE = '+15550000012'
const TICK_PHONE = '+15550000013'

let cluster: RedisClusterHandle
let smtp: SmtpSink
let sms: SmsSink
let dataDir: string
let baseUrl: string
let env: Record<string, string>
const services: Service[] = []

function start(name: string, app: 'api' | 'worker' | 'scheduler'): Service {
  const service = new Service(name, app, env)
  services.push(service)
  return service
}

async function post(path: string, body: unknown): Promise<{ status: number; id: string }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as { id?: string }
  return { status: res.status, id: json.id ?? '' }
}

async function state(id: string): Promise<{ state: string; attempts: number; stalls: number }> {
  const res = await fetch(`${baseUrl}/jobs/${encodeURIComponent(id)}`)
  return (await res.json()) as { state: string; attempts: number; stalls: number }
}

beforeAll(async () => {
  cluster = await startRedisCluster(3)
  smtp = await SmtpSink.start()
  sms = await SmsSink.start('AC_cluster', 'cluster-token')
  sms.behaviours.set(HANGING_PHONE, 'hang')
  dataDir = await mkdtemp(join(tmpdir(), 'conveyor-cluster-'))
  const schedulesFile = await writeSchedules(dataDir, [tickSchedule(TICK_PHONE)])
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  env = servicesEnv({
    redisUrl: cluster.nodes[0]?.url ?? '',
    dataDir,
    sms,
    smtpUrl: smtp.url,
    overrides: {
      REDIS_CLUSTER: 'true',
      QUEUE_PREFIX: 'ecl',
      PORT: String(port),
      WORKER_CONCURRENCY: '4',
      WORKER_LEASE_MS: '2000',
      SCHEDULES_FILE: schedulesFile,
      SCHEDULER_LEASE_MS: '1500',
    },
  })
  start('api', 'api')
  start('worker-1', 'worker')
  start('worker-2', 'worker')
  start('scheduler', 'scheduler')
  await until(
    async () => (await fetch(`${baseUrl}/readyz`).catch(() => null))?.status === 200,
    'the API',
  )
}, 90_000)

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop('SIGTERM')))
  await Promise.all([smtp?.close(), sms?.close(), cluster?.stop()])
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

describe('the services on a Redis Cluster', () => {
  it('run the seed flows, recover a SIGKILLed worker job and fire schedules, with no cross-slot error', async () => {
    const email = await post('/enqueue-email', {
      to: 'user@example.com',
      subject: 'Nhắc nhở định kỳ',
      body: 'Đây là email.',
    })
    const text = await post('/enqueue-sms', { phone: '+84912345678', message: 'Thông báo định kỳ' })
    expect([email.status, text.status]).toEqual([202, 202])
    await until(async () => (await state(email.id)).state === 'completed', 'the email')
    await until(async () => (await state(text.id)).state === 'completed', 'the SMS')
    expect(smtp.messages.map((m) => m.subject)).toContain('Nhắc nhở định kỳ')

    const held = await post('/enqueue-sms', { phone: HANGING_PHONE, message: 'survive a crash' })
    await until(() => sms.sentTo(HANGING_PHONE).length === 1, 'the provider to receive the request')
    // The worker's "active" line travels through a pipe and may arrive after the provider's
    // request did, so wait for it rather than read it once.
    const holds = (s: (typeof services)[number]) =>
      s.json().some((l) => l.jobId === held.id && l.state === 'active')
    await until(() => services.some(holds), 'the worker to log the held job')
    const holder = services.find(holds)
    expect(holder).toBeDefined()
    sms.behaviours.set(HANGING_PHONE, 'ok')
    expect(await holder?.stop('SIGKILL')).toBeNull()
    await until(
      async () => (await state(held.id)).state === 'completed',
      'the recovered job',
      20_000,
    )
    expect(await state(held.id)).toMatchObject({ attempts: 2, stalls: 1 })

    await until(() => sms.sentTo(TICK_PHONE).length >= 2, 'scheduled SMS')
    // The schedules API's scripts and reads, on the cluster too.
    const schedule = `${baseUrl}/schedules/on-cluster`
    const created = await fetch(schedule, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        everyMs: 3_600_000,
        type: 'sms',
        payload: { phone: '+15550000005', message: 'cluster' },
      }),
    })
    expect(created.status).toBe(201)
    expect((await fetch(`${schedule}/run`, { method: 'POST' })).status).toBe(202)
    const runs = (await (await fetch(`${schedule}/runs`)).json()) as { runs: unknown[] }
    expect(runs.runs).toHaveLength(1)
    expect((await fetch(schedule, { method: 'DELETE' })).status).toBe(204)
    const queues = await (await fetch(`${baseUrl}/queues`)).json()
    expect(JSON.stringify(queues)).toContain('default')
    const crossSlot = services.flatMap((s) =>
      s.lines.filter((l) => /CROSSSLOT|cross.?slot/i.test(l)),
    )
    expect(crossSlot).toEqual([])
  })
})
