/**
 * Fault 5c: a handler that calls process.exit in the middle of its job. A child process
 * runs queue-core's Worker (test/fixtures/exiting-worker.ts, maxStalls 1) and the test
 * starts a new one each time it dies, as a supervisor would. The job must be recovered
 * from its expired lease and dead-lettered once it has stalled more than its limit,
 * while SMS jobs queued around it keep completing.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { builtinJobTypes, defineJobTypes, Queue, SmsPayload } from '@conveyor/queue-core'
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { summary } from './support/scale.js'
import { until } from '@conveyor/test-support'

const PREFIX = 'chaos-exit'
const FIXTURE = fileURLToPath(new URL('./fixtures/exiting-worker.ts', import.meta.url))
const MAX_STALLS = 1

const registry = defineJobTypes({ ...builtinJobTypes, crash: { schema: SmsPayload } })

let redis: RedisServerHandle
let queue: Queue<typeof registry.types>
let child: ChildProcess | undefined
let supervising = true
const exits: (number | null)[] = []

/** Starts the child and, like a supervisor, a new one whenever it dies. */
function supervise(): void {
  const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redis.url,
      PREFIX,
      LEASE_MS: '1000',
      MAX_STALLS: String(MAX_STALLS),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  child = proc
  proc.once('exit', (code) => {
    exits.push(code)
    if (supervising) supervise()
  })
}

beforeAll(async () => {
  redis = await startRedisServer()
  queue = new Queue({ connection: redis.url, registry, prefix: PREFIX })
  supervise()
})

afterAll(async () => {
  supervising = false
  const last = child
  if (last && last.exitCode === null && last.signalCode === null) {
    const exited = new Promise((resolve) => last.once('exit', resolve))
    last.kill('SIGTERM')
    await exited
  }
  await queue?.close()
  await redis?.stop()
})

it('dead-letters a job whose handler exits the process, other jobs flowing', async () => {
  const sms: string[] = []
  const enqueueSms = async (n: number) => {
    for (let i = 0; i < n; i += 1)
      sms.push((await queue.enqueue('sms', { phone: '+15550001600', message: `m${i}` })).id)
  }
  await enqueueSms(5)
  const { id } = await queue.enqueue('crash', { phone: '+15550001601', message: 'exit' })
  await enqueueSms(5)
  await until(
    async () => (await queue.getJob(id))?.state === 'dead',
    'the crash job to die',
    60_000,
  )
  await enqueueSms(5)
  await until(
    async () => {
      const jobs = await Promise.all(sms.map((s) => queue.getJob(s)))
      return jobs.every((j) => j?.state === 'completed')
    },
    'the SMS jobs to complete',
    30_000,
  )
  const dead = await queue.getJob(id)
  const client = new Redis(redis.url)
  const lines = await client.lrange(`${PREFIX}:started`, 0, -1)
  client.disconnect()
  const starts = lines.map((l) => JSON.parse(l) as { id: string; type: string; pid: number })
  const crashStarts = starts.filter((s) => s.id === id)
  summary('exiting-handler', {
    maxStalls: MAX_STALLS,
    state: dead?.state ?? 'missing',
    stalls: dead?.stalls ?? 0,
    crashRuns: crashStarts.length,
    childExits: exits.join(','),
    smsCompleted: `${sms.length}/${sms.length}`,
    lastError: dead?.lastError?.message ?? '',
  })
  expect(dead?.state).toBe('dead')
  expect(dead?.stalls).toBe(MAX_STALLS + 1)
  expect(dead?.lastError?.message).toMatch(/stalled/)
  // Each run was in a different process, each of which exited 1.
  expect(crashStarts).toHaveLength(MAX_STALLS + 1)
  expect(new Set(crashStarts.map((s) => s.pid)).size).toBe(crashStarts.length)
  expect(exits.filter((c) => c === 1)).toHaveLength(crashStarts.length)
})
