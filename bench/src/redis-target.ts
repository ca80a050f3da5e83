import { startRedisServer } from '@conveyor/queue-core/testing'
import { Redis } from 'ioredis'
import { info } from './redis-info.js'

export interface RedisTarget {
  url: string
  /** an admin connection: FLUSHALL, INFO */
  admin: Redis
  version: string
  /** true when the bench started this redis-server itself */
  private: boolean
  flush(): Promise<void>
  stop(): Promise<void>
}

/**
 * The Redis at REDIS_URL, or a private redis-server without persistence (so that
 * neither an RDB save nor AOF fsync lands in a measurement).
 */
export async function openRedisTarget(options: { allowFlush: boolean }): Promise<RedisTarget> {
  const fromEnv = process.env.REDIS_URL
  const server = fromEnv
    ? undefined
    : await startRedisServer({ args: ['--save', '', '--appendonly', 'no'] })
  const url = fromEnv ?? server?.url ?? ''
  const admin = new Redis(url)
  const size = await admin.dbsize()
  // Every scenario starts with FLUSHALL: refuse to wipe someone's data by accident.
  if (fromEnv && size > 0 && !options.allowFlush) {
    admin.disconnect()
    throw new Error(
      `REDIS_URL holds ${size} keys and the bench runs FLUSHALL; pass --allow-flush or unset REDIS_URL`,
    )
  }
  const version = (await info(admin, 'server')).get('redis_version') ?? 'unknown'
  return {
    url,
    admin,
    version,
    private: server !== undefined,
    async flush() {
      await admin.flushall('SYNC')
    },
    async stop() {
      await admin.quit()
      await server?.stop()
    },
  }
}
