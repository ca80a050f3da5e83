/**
 * The three services over `rediss://` as an ACL user that may run only the commands
 * Conveyor sends, on only its own keys: the seed's email and SMS complete, the scheduler
 * leads and fires, Redis logs no denied command, and the same user cannot FLUSHALL,
 * CONFIG SET or touch a key outside the prefix.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
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
import { makeCertificates, TlsRedis } from '../support/tls-redis.js'

/**
 * Every command the services send, found by reading the code: ioredis itself (INFO for
 * its ready check, QUIT on close), the API's readiness PING, queue-core's and the
 * scheduler's client-side reads, and each `redis.call` in their Lua scripts (Redis
 * checks the ACL inside scripts too), and the worker's SCRIPT LOAD, CLIENT ID and
 * CLIENT UNBLOCK.
 * The same line is in README.md, Configuration.
 */
const ACL_RULES = [
  ...['on', '>pw', 'resetchannels', '&conveyor:*', '~conveyor:*', '-@all'],
  ...['+ping', '+info', '+quit', '+evalsha', '+eval', '+time'],
  ...['+blpop', '+xread', '+xrevrange', '+xadd'],
  ...['+get', '+set', '+del', '+incr', '+pexpire', '+pttl'],
  ...['+hget', '+hmget', '+hgetall', '+hset', '+hdel', '+hexists', '+hincrby'],
  ...['+hsetnx', '+hstrlen', '+hlen', '+hscan', '+exists', '+sadd', '+srem', '+srandmember'],
  ...['+zadd', '+zrem', '+zcard', '+zrange', '+zrangebyscore', '+zremrangebyrank', '+zscore'],
  ...['+lpush', '+rpush', '+lmpop', '+lrem', '+llen', '+lrange', '+ltrim'],
  // Groups and limits (lex ranges, window logs), workflows (cancel channel), big specs (MULTI).
  ...['+hkeys', '+lindex', '+lpop', '+persist', '+zlexcount', '+zrangebylex', '+zremrangebylex'],
  ...[
    '+zremrangebyscore',
    '+smembers',
    '+multi',
    '+exec',
    '+publish',
    '+subscribe',
    '+unsubscribe',
  ],
  // The dashboard's cursor paging finds a job's rank again.
  ...['+zrank', '+zrevrank', '+zcount'],
  // The worker loads its hot scripts ahead and ends its blocking wait at shutdown.
  ...['+script|load', '+client|id', '+client|unblock'],
]

let redis: TlsRedis
let admin: Redis
let smtp: SmtpSink
let sms: SmsSink
let dataDir: string
let baseUrl: string
let redisUrl: string
const services: Service[] = []

beforeAll(async () => {
  redis = await TlsRedis.start(await makeCertificates())
  admin = redis.admin()
  await admin.call('ACL', 'SETUSER', 'conveyor', ...ACL_RULES)
  await admin.call('ACL', 'LOG', 'RESET')
  redisUrl = `rediss://conveyor:pw@127.0.0.1:${redis.port}`
  smtp = await SmtpSink.start()
  sms = await SmsSink.start('AC_tls', 'tls-token')
  dataDir = await mkdtemp(join(tmpdir(), 'conveyor-tls-'))
  // Every second, so that a slot fires (claim, enqueue) within the test.
  const schedulesFile = await writeSchedules(dataDir, [
    tickSchedule('+15550000003', { catchUp: 'skip' }),
  ])
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  const env = servicesEnv({
    redisUrl,
    dataDir,
    sms,
    smtpUrl: smtp.url,
    overrides: {
      REDIS_TLS_CA_FILE: redis.tls.caFile,
      PORT: String(port),
      SCHEDULES_FILE: schedulesFile,
      SCHEDULER_LEASE_MS: '1500',
    },
  })
  services.push(
    new Service('api', 'api', env),
    new Service('worker', 'worker', env),
    new Service('scheduler', 'scheduler', env),
  )
  await until(
    async () => (await fetch(`${baseUrl}/readyz`).catch(() => null))?.status === 200,
    'the API to be ready over TLS',
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${services.map((s) => s.dump()).join('\n')}`)
  })
})

afterAll(async () => {
  const codes = await Promise.all(services.map((s) => s.stop('SIGTERM')))
  admin?.disconnect()
  await Promise.all([smtp?.close(), sms?.close(), redis?.stop()])
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
  expect(services.filter((_s, i) => codes[i] !== 0).map((s) => s.dump())).toEqual([])
})

async function settle(id: string): Promise<string> {
  let state = ''
  await until(async () => {
    const res = await fetch(`${baseUrl}/jobs/${id}`)
    state = ((await res.json()) as { state: string }).state
    return ['completed', 'dead', 'cancelled'].includes(state)
  }, `job ${id} to finish`)
  return state
}

async function post(path: string, body: unknown): Promise<string> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status).toBe(202)
  return ((await res.json()) as { id: string }).id
}

/** The error Redis answers `command` with, as the conveyor user; '' if it succeeds. */
async function refusal(...command: string[]): Promise<string> {
  const client = redis.admin({ username: 'conveyor', password: 'pw' })
  try {
    await client.call(command[0] ?? '', ...command.slice(1))
    return ''
  } catch (err) {
    return (err as Error).message
  } finally {
    client.disconnect()
  }
}

it('runs the seed flows over rediss:// as a least-privilege ACL user', async () => {
  const email = await post('/enqueue-email', {
    to: 'user@example.com',
    subject: 'Nhắc nhở định kỳ',
    body: 'Đây là email nhắc nhở gửi định kỳ mỗi phút.',
  })
  const text = await post('/enqueue-sms', { phone: '+84912345678', message: 'Thông báo định kỳ' })
  const emailState = await settle(email)
  const smsState = await settle(text)
  expect({ emailState, smsState }).toEqual({ emailState: 'completed', smsState: 'completed' })
  expect(smtp.messages.some((m) => m.subject === 'Nhắc nhở định kỳ')).toBe(true)
  expect(sms.sentTo('+84912345678')).toHaveLength(1)

  // The scheduler's lease, claim and enqueue scripts all ran under the ACL.
  const scheduler = services[2] as Service
  await until(
    () => scheduler.json().some((l) => l.msg === 'schedule fired'),
    'the scheduler to fire a slot',
  )
  await until(() => sms.sentTo('+15550000003').length > 0, 'a scheduled SMS to arrive')

  // The schedules API: create, inspect (leader, runs), run now, delete, under the ACL.
  const schedule = `${baseUrl}/schedules/acl-check`
  const put = await fetch(schedule, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      everyMs: 3_600_000,
      type: 'sms',
      payload: { phone: '+15550000004', message: 'acl' },
    }),
  })
  expect(put.status).toBe(201)
  const shown = (await (await fetch(schedule)).json()) as { leader: { token: number } | null }
  expect(shown.leader?.token).toBeGreaterThan(0)
  expect((await fetch(`${schedule}/run`, { method: 'POST' })).status).toBe(202)
  expect((await fetch(`${schedule}/runs`)).status).toBe(200)
  expect((await fetch(`${baseUrl}/schedules`)).status).toBe(200)
  expect((await fetch(schedule, { method: 'DELETE' })).status).toBe(204)

  // Nothing any service sent was refused, inside scripts or out.
  const denied = (await admin.call('ACL', 'LOG')) as unknown[]
  expect(denied).toEqual([])

  const flushall = await refusal('FLUSHALL')
  const configSet = await refusal('CONFIG', 'SET', 'appendonly', 'no')
  const foreignKey = await refusal('SET', 'other:key', '1')
  expect(flushall).toMatch(/^NOPERM/)
  expect(configSet).toMatch(/^NOPERM/)
  expect(foreignKey).toMatch(/^NOPERM/)
  console.log(
    `[redis-acl] tls=on user=conveyor commands=${ACL_RULES.filter((r) => r.startsWith('+')).length}` +
      ` email=${emailState} sms=${smsState} scheduler=fired schedules-api=ok denied=${denied.length}` +
      ` flushall=${flushall.split(' ')[0]} config-set=${configSet.split(' ')[0]}` +
      ` foreign-key=${foreignKey.split(' ')[0]}`,
  )
})
