import type { Cluster, Redis } from 'ioredis'
import { writeProbeKey } from './keys.js'
import { isRedisUnavailable, isWriteRefused } from './redis-errors.js'

/** What Redis can do now, as a readiness check sees it. */
export type RedisHealth = 'ok' | 'unavailable' | 'write_refused'

const PROBE_TTL_MS = 10_000

/**
 * Whether Redis answers and takes writes. A PING passes on a Redis out of memory under
 * `noeviction`, on a read-only replica and after a failed snapshot (MISCONF), where every
 * enqueue fails; a small SET is refused in all three, so that is the probe. The key
 * expires by itself, so probes leave nothing behind.
 */
export async function probeRedis(
  connection: Redis | Cluster,
  options: { prefix: string },
): Promise<RedisHealth> {
  try {
    await connection.set(writeProbeKey(options.prefix), String(Date.now()), 'PX', PROBE_TTL_MS)
    return 'ok'
  } catch (err) {
    if (isWriteRefused(err)) return 'write_refused'
    if (isRedisUnavailable(err)) return 'unavailable'
    throw err
  }
}
