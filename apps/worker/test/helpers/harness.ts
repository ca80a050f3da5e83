import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue, Worker, type HandlerMap, type JobRecord, type JobState } from '@conveyor/queue-core'
import { deletePrefix, uniquePrefix } from '@conveyor/queue-core/testing'
import {
  createLogger,
  jobRegistry,
  type ConveyorJobTypes,
  type Logger,
} from '@conveyor/service-kit'
import { afterEach, inject } from 'vitest'

export const silentLogger: Logger = createLogger({ name: 'worker-test', level: 'silent' })

type Cleanup = () => Promise<unknown>

/**
 * Per-test resources that are closed after each test, last opened first: Queue and
 * Worker pairs on a unique key prefix, temporary folders, servers.
 */
export function useHarness() {
  const cleanups: Cleanup[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  const redisUrl = inject('redisUrl')
  return {
    redisUrl,
    /** closes `resource` after the test */
    defer(cleanup: Cleanup): void {
      cleanups.push(cleanup)
    },
    async tempDir(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'conveyor-worker-'))
      cleanups.push(() => rm(dir, { recursive: true, force: true }))
      return dir
    },
    /** A Queue and a running Worker for `queue` (default "default") on a fresh prefix. */
    start(handlers: HandlerMap<ConveyorJobTypes>, queue = 'default') {
      const prefix = uniquePrefix('worker')
      const q = new Queue({ connection: redisUrl, registry: jobRegistry, queue, prefix })
      const worker = new Worker({
        connection: redisUrl,
        registry: jobRegistry,
        handlers,
        queue,
        prefix,
        concurrency: 2,
      })
      cleanups.push(async () => {
        await worker.close({ timeoutMs: 5_000 })
        await q.close()
        await deletePrefix(redisUrl, prefix)
      })
      return { queue: q, worker, prefix }
    },
  }
}

/** Polls the job until it reaches one of `states` (the outcome is stored a moment after the event). */
export async function waitForState(
  queue: Queue<ConveyorJobTypes>,
  id: string,
  states: JobState[],
  timeoutMs = 20_000,
): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await queue.getJob(id)
    if (job && states.includes(job.state)) return job
    if (Date.now() > deadline)
      throw new Error(`job ${id} is ${job?.state ?? 'missing'}, not ${states.join('/')}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
