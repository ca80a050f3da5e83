import { defineJobTypes, Queue, Worker } from '@conveyor/queue-core'
import { countdown, timeoutFor } from '../scenarios/context.js'
import { sleep } from '../stats.js'
import { LoadPayload, loadQueue } from './catalog.js'

/** Where the scenario puts its jobs: two of the 48 extra queues of catalog.ts. */
export const QUEUED_QUEUE = loadQueue(1)
export const DEAD_QUEUE = loadQueue(2)

// The bench's side of the same two job types the API's catalog declares.
const registry = defineJobTypes({
  [QUEUED_QUEUE]: { schema: LoadPayload, queue: QUEUED_QUEUE },
  [DEAD_QUEUE]: { schema: LoadPayload, queue: DEAD_QUEUE },
} as const)

const CHUNK = 5_000

/** n jobs queued on a paused queue: enqueueBulk in calls of 5,000, nothing runs them. */
export async function fillQueued(url: string, n: number): Promise<void> {
  const queue = new Queue({ connection: url, registry, queue: QUEUED_QUEUE })
  try {
    await queue.pause()
    for (let i = 0; i < n; i += CHUNK) {
      await queue.enqueueBulk(
        Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => ({
          type: QUEUED_QUEUE,
          payload: { i: i + k },
        })),
      )
    }
  } finally {
    await queue.close()
  }
}

/**
 * n dead jobs, made as production makes them: jobs of one attempt (maxAttempts 1) run
 * by a worker whose handler throws, so each is dead-lettered with its error.
 */
export async function fillDead(url: string, n: number): Promise<void> {
  const queue = new Queue({ connection: url, registry, queue: DEAD_QUEUE })
  const ran = countdown(n, timeoutFor(n))
  const worker = new Worker({
    connection: url,
    registry,
    queue: DEAD_QUEUE,
    concurrency: 50,
    handlers: {
      [DEAD_QUEUE]: () => {
        ran.tick()
        throw new Error('the bench fails this job on purpose')
      },
    },
  })
  try {
    for (let i = 0; i < n; i += CHUNK) {
      await queue.enqueueBulk(
        Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => ({
          type: DEAD_QUEUE,
          payload: { i: i + k },
          options: { maxAttempts: 1 },
        })),
      )
    }
    await ran.done
    // The handler has run; wait until every outcome is stored.
    const deadline = Date.now() + 60_000
    while ((await queue.metrics()).counts.dead < n) {
      if (Date.now() > deadline) throw new Error(`fewer than ${n} dead jobs after 60 s`)
      await sleep(50)
    }
  } finally {
    await worker.close({ timeoutMs: 10_000 })
    await queue.close()
  }
}
