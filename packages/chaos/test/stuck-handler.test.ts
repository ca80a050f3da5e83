/**
 * Fault 5b: a handler that never returns (and ignores its abort signal). The worker
 * app has no such handler, so this runs queue-core's Worker in-process with a `task`
 * type of the test's own: the job must time out, be retried, then be dead-lettered,
 * while the worker's slots come back for other jobs.
 */
import { builtinJobTypes, defineJobTypes, Queue, SmsPayload, Worker } from '@conveyor/queue-core'
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { summary } from './support/scale.js'
import { until } from '@conveyor/test-support'

const PREFIX = 'chaos-stuck'
const TIMEOUT_MS = 300

// `task` borrows the SMS schema: this package has no schema library of its own, and
// the payload's shape does not matter to a handler that never returns.
const registry = defineJobTypes({
  ...builtinJobTypes,
  task: {
    schema: SmsPayload,
    defaults: { timeoutMs: TIMEOUT_MS, maxAttempts: 2, backoff: { type: 'fixed', delayMs: 0 } },
  },
})

let redis: RedisServerHandle
let queue: Queue<typeof registry.types>
let worker: Worker<typeof registry.types>
let started = 0
const sent: string[] = []

beforeAll(async () => {
  redis = await startRedisServer()
  queue = new Queue({ connection: redis.url, registry, prefix: PREFIX })
  worker = new Worker({
    connection: redis.url,
    registry,
    prefix: PREFIX,
    concurrency: 2,
    handlers: {
      task: () => {
        started += 1
        return new Promise<never>(() => undefined) // never settles, whatever the signal says
      },
      sms: (job) => void sent.push(job.payload.message),
    },
  })
})

afterAll(async () => {
  await worker?.close({ timeoutMs: 1_000 })
  await queue?.close()
  await redis?.stop()
})

it('times out, retries and dead-letters a handler that never returns', async () => {
  const { id } = await queue.enqueue('task', { phone: '+15550001500', message: 'stuck' })
  await until(async () => (await queue.getJob(id))?.state === 'dead', 'the stuck job to die')
  const dead = await queue.getJob(id)
  // More jobs than slots: had the stuck attempts kept their slots, none of these would run.
  const more: string[] = []
  for (let i = 0; i < 10; i += 1)
    more.push((await queue.enqueue('sms', { phone: '+15550001501', message: `after-${i}` })).id)
  await until(async () => {
    const jobs = await Promise.all(more.map((m) => queue.getJob(m)))
    return jobs.every((j) => j?.state === 'completed')
  }, 'the jobs after it to complete')
  summary('stuck-handler', {
    timeoutMs: TIMEOUT_MS,
    state: dead?.state ?? 'missing',
    attempts: dead?.attempts ?? 0,
    handlerStarts: started,
    lastError: `${dead?.lastError?.code}: ${dead?.lastError?.message}`,
    laterCompleted: `${sent.length}/${more.length}`,
  })
  expect(dead).toMatchObject({ state: 'dead', attempts: 2 })
  expect(dead?.lastError?.code).toBe('job_timeout')
  expect(started).toBe(2)
  expect(sent).toHaveLength(10)
})
