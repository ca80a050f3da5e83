import { Redis } from 'ioredis'
import { afterEach, inject } from 'vitest'
import { defineJobTypes, Queue, Worker, type WorkerOptions } from '../../src/index.js'
import { builtinJobTypes } from '../../src/builtin-job-types.js'
import { deletePrefix, uniquePrefix } from '../../src/testing/index.js'
import Type from 'typebox'

/** The registry the tests use: the built-in types plus a free-form one for test handlers. */
export const registry = defineJobTypes({
  ...builtinJobTypes,
  task: { schema: Type.Object({ n: Type.Integer(), label: Type.Optional(Type.String()) }) },
})
export type TestTypes = typeof registry.types

interface Harness {
  url: string
  prefix: string
  queue: Queue<TestTypes>
  redis: Redis
  worker(
    options: Omit<WorkerOptions<TestTypes>, 'connection' | 'registry' | 'prefix'>,
  ): Worker<TestTypes>
}

const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  // Close every worker and queue a test made, so that none is left running.
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/** A queue and a factory of workers on a key prefix of the test's own. */
export function harness(url: string = inject('redisUrl')): Harness {
  const prefix = uniquePrefix('qc')
  const queue = new Queue({ connection: url, registry, prefix })
  const redis = new Redis(url)
  cleanups.push(async () => {
    await queue.close()
    await deletePrefix(url, prefix)
    await redis.quit()
  })
  return {
    url,
    prefix,
    queue,
    redis,
    worker(options) {
      const w = new Worker({ connection: url, registry, prefix, ...options })
      cleanups.push(() => w.close({ timeoutMs: 2_000 }))
      return w
    },
  }
}

export { until } from '../../src/testing/until.js'
