import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isRedisUnavailable, Queue } from '@conveyor/queue-core'
import { deletePrefix, uniquePrefix } from '@conveyor/queue-core/testing'
import { jobRegistry, loadConfig } from '@conveyor/service-kit'
import { inject } from 'vitest'
import { buildApp } from '../../src/app.js'
import { ApiConfig } from '../../src/config.js'

export type TestApp = Awaited<ReturnType<typeof startTestApp>>

/**
 * An API on the test run's Redis with its own key prefix and data directory, plus a
 * queue-core Queue per queue to look behind its back. `close()` undoes all of it.
 */
export async function startTestApp(env: Record<string, string> = {}) {
  // A test file may bring its own redis-server (REDIS_URL in env).
  const redisUrl = env.REDIS_URL ?? inject('redisUrl')
  const prefix = uniquePrefix('api')
  const dataDir = await mkdtemp(join(tmpdir(), 'conveyor-api-'))
  const config = loadConfig('api', ApiConfig, {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  })
  const app = await buildApp(config)
  const queues = new Map(
    jobRegistry
      .queues()
      .map((name) => [
        name,
        new Queue({ connection: redisUrl, registry: jobRegistry, queue: name, prefix }),
      ]),
  )
  const queue = (name: string) => {
    const q = queues.get(name)
    if (!q) throw new Error(`no queue ${name}`)
    return q
  }
  return {
    app,
    config,
    prefix,
    dataDir,
    redisUrl,
    queue,
    async close() {
      await app.close()
      await Promise.all([...queues.values()].map((q) => q.close()))
      // A test of an unreachable Redis (REDIS_URL on a closed port) has nothing to clean.
      await deletePrefix(redisUrl, prefix).catch((err: unknown) => {
        if (!isRedisUnavailable(err)) throw err
      })
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
