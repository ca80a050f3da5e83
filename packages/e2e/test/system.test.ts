/**
 * The whole system as a user runs it: the three built apps as separate processes
 * against one Redis, a real SMTP server and a fake SMS provider, driven over HTTP.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { queueKeys } from '@conveyor/queue-core'
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { sniffFormat } from '@conveyor/service-kit'
import { Redis } from 'ioredis'
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
import { csvFile, pngFile } from './support/files.js'

const PREFIX = 'e2e'
const FAILING_PHONE = '+15550000001'
const HANGING_PHONE = '+15550000002'
const TICK_PHONE = '+15550000003'

let redis: RedisServerHandle
let smtp: SmtpSink
let sms: SmsSink
let dataDir: string
let api: Service
let baseUrl: string
const workers: Service[] = []
const schedulers: Service[] = []
let env: Record<string, string>

interface JobView {
  id: string
  state: string
  attempts: number
  stalls: number
  result?: unknown
  lastError?: { message: string }
  downloadUrl?: string
  startedAt?: string
  finishedAt?: string
}

async function post(
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

async function job(id: string): Promise<JobView> {
  const res = await fetch(`${baseUrl}/jobs/${encodeURIComponent(id)}`)
  expect(res.status).toBe(200)
  return (await res.json()) as JobView
}

async function settled(id: string, timeoutMs = 20_000): Promise<JobView> {
  let last: JobView | undefined
  await until(
    async () => {
      last = await job(id)
      return ['completed', 'dead', 'cancelled'].includes(last.state)
    },
    `job ${id} to finish`,
    timeoutMs,
  )
  return last as JobView
}

function startWorker(name: string): Service {
  const worker = new Service(name, 'worker', {
    ...env,
    HEALTH_FILE: join(dataDir, `${name}.healthy`),
  })
  workers.push(worker)
  return worker
}

beforeAll(async () => {
  redis = await startRedisServer()
  smtp = await SmtpSink.start()
  sms = await SmsSink.start('AC_e2e', 'e2e-token')
  sms.behaviours.set(FAILING_PHONE, 'unavailable')
  sms.behaviours.set(HANGING_PHONE, 'hang')
  dataDir = await mkdtemp(join(tmpdir(), 'conveyor-e2e-'))
  const schedulesFile = await writeSchedules(dataDir, [
    tickSchedule(TICK_PHONE, { catchUp: 'skip' }),
  ])
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  env = servicesEnv({
    redisUrl: redis.url,
    dataDir,
    sms,
    smtpUrl: smtp.url,
    overrides: {
      QUEUE_PREFIX: PREFIX,
      LOG_LEVEL: 'info',
      PORT: String(port),
      WORKER_CONCURRENCY: '4',
      WORKER_LEASE_MS: '2000',
      SCHEDULES_FILE: schedulesFile,
      SCHEDULER_LEASE_MS: '1500',
    },
  })
  api = new Service('api', 'api', env)
  startWorker('worker-1')
  startWorker('worker-2')
  schedulers.push(
    new Service('scheduler-1', 'scheduler', env),
    new Service('scheduler-2', 'scheduler', env),
  )
  await until(
    async () => (await fetch(`${baseUrl}/readyz`).catch(() => null))?.status === 200,
    'the API to be ready',
  )
})

afterAll(async () => {
  const all = [api, ...workers, ...schedulers].filter((s): s is Service => s !== undefined)
  const codes = await Promise.all(all.map((s) => s.stop('SIGTERM')))
  await Promise.all([smtp?.close(), sms?.close(), redis?.stop()])
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
  // Every process that was not killed on purpose stops cleanly on SIGTERM.
  const unclean = all.filter((s, i) => codes[i] !== 0 && codes[i] !== null)
  expect(unclean.map((s) => s.dump())).toEqual([])
})

describe('the seed flows, end to end', () => {
  it('sends the reminder email over SMTP with its UTF-8 subject intact', async () => {
    const { status, json } = await post('/enqueue-email', {
      to: 'user@example.com',
      subject: 'Nhắc nhở định kỳ',
      body: 'Đây là email nhắc nhở gửi định kỳ mỗi phút.',
    })
    expect(status).toBe(202)
    expect(json.statusUrl).toBe(`/jobs/${String(json.id)}`)
    expect((await settled(String(json.id))).state).toBe('completed')
    const mail = smtp.messages.find((m) => m.subject === 'Nhắc nhở định kỳ')
    expect(mail?.text?.trim()).toBe('Đây là email nhắc nhở gửi định kỳ mỗi phút.')
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toContain('user@example.com')
  })

  it('delivers the SMS to the provider', async () => {
    const { status, json } = await post('/enqueue-sms', {
      phone: '+84912345678',
      message: 'Thông báo định kỳ 🚀',
    })
    expect(status).toBe(202)
    expect((await settled(String(json.id))).state).toBe('completed')
    expect(sms.sentTo('+84912345678').map((r) => r.body)).toEqual(['Thông báo định kỳ 🚀'])
  })

  it("keeps each worker's health file fresh while it reaches Redis", async () => {
    const path = join(dataDir, 'worker-1.healthy')
    await until(async () => (await stat(path).catch(() => null)) !== null, 'the health file')
    expect(Date.now() - (await stat(path)).mtimeMs).toBeLessThan(30_000)
  })

  it('rejects a bad payload with 400 naming the field, and enqueues nothing', async () => {
    const { status, json } = await post('/enqueue-sms', { phone: '12345', message: 'x' })
    expect(status).toBe(400)
    expect(JSON.stringify(json)).toContain('phone')
  })

  it('converts an uploaded CSV to JSON and serves the result', async () => {
    const form = new FormData()
    form.append('targetFormat', 'json')
    form.append('file', new Blob([csvFile()], { type: 'text/csv' }), 'people.csv')
    const res = await fetch(`${baseUrl}/uploads`, { method: 'POST', body: form })
    expect(res.status).toBe(202)
    const { uploadId, jobId } = (await res.json()) as { uploadId: string; jobId: string }
    const done = await settled(jobId)
    expect(done.state).toBe('completed')
    const download = await fetch(`${baseUrl}/uploads/${uploadId}/result`)
    expect(download.status).toBe(200)
    expect(await download.json()).toEqual([
      { name: 'An', city: 'Hà Nội', note: 'says "xin chào", twice' },
      { name: 'Bình', city: 'Huế', note: 'line one\nline two' },
    ])
  })

  it('with notify, e-mails the download link once the conversion completed (a flow)', async () => {
    const form = new FormData()
    form.append('targetFormat', 'json')
    form.append('notify', 'owner@example.com')
    form.append('file', new Blob([csvFile()], { type: 'text/csv' }), 'notify.csv')
    const res = await fetch(`${baseUrl}/uploads`, { method: 'POST', body: form })
    expect(res.status).toBe(202)
    const body = (await res.json()) as {
      uploadId: string
      jobId: string
      flowId: string
      notifyJobId: string
    }
    const email = await settled(body.notifyJobId)
    expect(email.state).toBe('completed')
    const convert = await settled(body.jobId)
    expect(Date.parse(String(email.startedAt))).toBeGreaterThanOrEqual(
      Date.parse(String(convert.finishedAt)),
    )
    const mail = smtp.messages.find((m) => m.subject === 'notify.csv is converted to json')
    expect(mail?.text).toContain(`/uploads/${body.uploadId}/result`)
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toContain('owner@example.com')
    const flow = (await (await fetch(`${baseUrl}/flows/${body.flowId}`)).json()) as {
      state: string
    }
    expect(flow.state).toBe('completed')
  })

  it('converts an uploaded PNG to WebP and serves the result', async () => {
    const form = new FormData()
    form.append('targetFormat', 'webp')
    form.append('file', new Blob([pngFile()], { type: 'image/png' }), 'dot.png')
    const res = await fetch(`${baseUrl}/uploads`, { method: 'POST', body: form })
    expect(res.status).toBe(202)
    const { uploadId, jobId } = (await res.json()) as { uploadId: string; jobId: string }
    expect((await settled(jobId)).state).toBe('completed')
    const download = await fetch(`${baseUrl}/uploads/${uploadId}/result`)
    expect(download.status).toBe(200)
    expect(sniffFormat(new Uint8Array(await download.arrayBuffer()))).toBe('webp')
  })

  it('retries a failing job 3 times, then dead-letters it where the API shows it', async () => {
    const { json } = await post('/enqueue-sms', { phone: FAILING_PHONE, message: 'never arrives' })
    const id = String(json.id)
    // Default backoff: ~1 s, ~2 s, ~4 s between the four attempts.
    const done = await settled(id, 30_000)
    expect(done.state).toBe('dead')
    expect(done.attempts).toBe(4)
    expect(done.lastError?.message).toMatch(/503/)
    expect(sms.sentTo(FAILING_PHONE)).toHaveLength(4)
    const dead = (await (await fetch(`${baseUrl}/queues/default/dead`)).json()) as {
      jobs: { id: string }[]
    }
    expect(dead.jobs.map((j) => j.id)).toContain(id)
  })

  it('completes a job on another worker after its worker is SIGKILLed mid-job', async () => {
    const { json } = await post('/enqueue-sms', {
      phone: HANGING_PHONE,
      message: 'survive a crash',
    })
    const id = String(json.id)
    await until(() => sms.sentTo(HANGING_PHONE).length === 1, 'the provider to receive the request')
    // The "active" log line may reach us after the provider saw the request: wait for it.
    const holds = (w: (typeof workers)[number]) =>
      w.json().some((l) => l.jobId === id && l.state === 'active')
    await until(() => workers.some(holds), 'the worker to log the held job')
    const holder = workers.find(holds)
    expect(holder).toBeDefined()
    sms.behaviours.set(HANGING_PHONE, 'ok')
    expect(await holder?.stop('SIGKILL')).toBeNull()
    const done = await settled(id, 20_000)
    expect(done).toMatchObject({ state: 'completed', attempts: 2, stalls: 1 })
    const finisher = workers.find(
      (w) => w !== holder && w.json().some((l) => l.jobId === id && l.state === 'completed'),
    )
    expect(finisher).toBeDefined()
    startWorker('worker-3')
  })

  it('fires each slot of a per-second schedule exactly once with two schedulers running', async () => {
    const client = new Redis(redis.url)
    try {
      const specsKey = queueKeys(PREFIX, 'default').specs
      const slots = async () =>
        (await client.hkeys(specsKey))
          .filter((id) => id.startsWith('sched:tick:'))
          .map((id) => Number(id.split(':')[2]))
      await until(async () => (await slots()).length >= 5, 'five fired slots', 20_000)
      // Stop both schedulers, so that the window is closed when it is counted.
      expect(await Promise.all(schedulers.map((s) => s.stop('SIGTERM')))).toEqual([0, 0])
      const fired = (await slots()).sort((a, b) => a - b)
      expect(new Set(fired).size).toBe(fired.length)
      // Consecutive seconds, no gap inside the window (catch-up is off for this schedule).
      for (let i = 1; i < fired.length; i += 1)
        expect((fired[i] ?? 0) - (fired[i - 1] ?? 0)).toBe(1000)
      await until(async () => {
        const done = await Promise.all(fired.map((slot) => job(`default:sched:tick:${slot}`)))
        return done.every((j) => j.state === 'completed')
      }, 'the fired jobs to complete')
      // Each slot was sent once, not once per scheduler.
      expect(sms.sentTo(TICK_PHONE)).toHaveLength(fired.length)
    } finally {
      await client.quit()
    }
  })
})
