/**
 * Credentials never reach a log line. The three built services run as processes at
 * LOG_LEVEL=debug with every secret Conveyor takes (an API key, an SMTP password, a
 * Redis password, an SMS auth token); the test drives real traffic through them
 * (authorised and refused requests, an email, an SMS, an error path) and then searches
 * every line any process printed, stdout and stderr, JSON or not.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort, Service, SmsSink, SmtpSink, until } from '@conveyor/test-support'

const API_KEY = 'ck_live_Sup3rSecretApiKey42'
const SMTP_PASSWORD = 'S3cr3t-smtp'
const REDIS_PASSWORD = 'R3dis-pass'
const SMS_TOKEN = 'tw-Auth-T0ken-9f8e7d'
const SECRETS = { API_KEY, SMTP_PASSWORD, REDIS_PASSWORD, SMS_TOKEN }

let redis: RedisServerHandle
let smtp: SmtpSink
let sms: SmsSink
let dataDir: string
let baseUrl: string
const services: Service[] = []

beforeAll(async () => {
  // startRedisServer polls PING without a password, so requirepass is set once it is up.
  redis = await startRedisServer()
  const setup = new Redis(redis.url)
  await setup.config('SET', 'requirepass', REDIS_PASSWORD)
  setup.disconnect()
  smtp = await SmtpSink.start({ user: 'user', pass: SMTP_PASSWORD })
  sms = await SmsSink.start('AC_secret', SMS_TOKEN)
  dataDir = await mkdtemp(join(tmpdir(), 'conveyor-secrets-'))
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  const env = {
    REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`,
    LOG_LEVEL: 'debug',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEYS: API_KEY,
    SMTP_URL: `smtp://user:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
    SMS_PROVIDER: 'twilio',
    SMS_API_URL: sms.url,
    SMS_ACCOUNT_SID: sms.sid,
    SMS_AUTH_TOKEN: SMS_TOKEN,
    SMS_FROM: '+15550009999',
    SHUTDOWN_GRACE_MS: '3000',
  }
  services.push(
    new Service('api', 'api', env),
    new Service('worker', 'worker', env),
    new Service('scheduler', 'scheduler', env),
  )
  await until(
    async () =>
      (await fetch(`${baseUrl}/readyz`, { headers: auth }).catch(() => null))?.status === 200,
    'the API to be ready',
  )
})

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop('SIGTERM')))
  await Promise.all([smtp?.close(), sms?.close(), redis?.stop()])
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const auth = { authorization: `Bearer ${API_KEY}` }

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, init)
}

async function enqueue(path: string, body: unknown): Promise<string> {
  const res = await send(path, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status).toBe(202)
  return ((await res.json()) as { id: string }).id
}

async function completed(id: string): Promise<void> {
  await until(async () => {
    const res = await send(`/jobs/${id}`, { headers: { 'x-api-key': API_KEY } })
    return ((await res.json()) as { state: string }).state === 'completed'
  }, `job ${id} to complete`)
}

it('prints none of the secrets, whatever the services log', async () => {
  const email = await enqueue('/enqueue-email', {
    to: 'user@example.com',
    subject: 'Nhắc nhở định kỳ',
    body: 'Đây là email nhắc nhở gửi định kỳ mỗi phút.',
  })
  const text = await enqueue('/enqueue-sms', { phone: '+84912345678', message: 'Thông báo' })
  await Promise.all([completed(email), completed(text)])
  expect(smtp.messages).toHaveLength(1)
  expect(sms.requests).toHaveLength(1)

  // Refused requests: no key, a wrong key, a key that is almost right, and an
  // authorised request the API rejects (the "request rejected" log path).
  const refused = [
    await send('/queues'),
    await send('/queues', { headers: { authorization: `Bearer ${API_KEY}x` } }),
    await send('/metrics', { headers: { 'x-api-key': API_KEY.slice(1) } }),
  ]
  expect(refused.map((r) => r.status)).toEqual([401, 401, 401])
  const bad = await send('/enqueue-sms', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{"phone":',
  })
  expect(bad.status).toBe(400)
  expect((await send('/metrics', { headers: auth })).status).toBe(200)

  // The shutdown lines are printed too.
  await Promise.all(services.map((s) => s.stop('SIGTERM')))
  const lines = services.flatMap((s) => s.lines.map((line) => `${s.name}: ${line}`))
  // The services log nothing at debug today; what matters is that every request and
  // job was logged, or the search proves little.
  expect(lines.filter((l) => l.includes('incoming request')).length).toBeGreaterThan(5)
  expect(lines.some((l) => l.includes('"state":"completed"'))).toBe(true)
  const leaks = Object.entries(SECRETS).flatMap(([name, secret]) =>
    lines.filter((l) => l.includes(secret)).map((l) => `${name} in ${l}`),
  )
  console.log(
    `[secrets] processes=${services.length} lines=${lines.length} ` +
      `secrets=${Object.keys(SECRETS).length} leaks=${leaks.length}`,
  )
  expect(leaks).toEqual([])
})
