import { Cluster, Redis, type RedisOptions } from 'ioredis'
import { redisOptionsFrom } from './redis-options.js'

/** Where a service's Redis is: REDIS_URL, REDIS_TLS_CA_FILE and REDIS_CLUSTER. */
export interface RedisTarget {
  url: string
  caFile?: string | undefined
  /** REDIS_URL names one node of a Redis Cluster; the client finds the others */
  cluster?: boolean | undefined
}

/**
 * A client for a service: a single Redis, or a Cluster client seeded with the URL's
 * node (every queue's keys share one hash tag, so each script runs on one node).
 * `overrides` apply to every node connection; `enableOfflineQueue` also to the
 * cluster's own queue, so fail-fast settings mean the same on both.
 */
export function createRedisClient(
  target: RedisTarget,
  overrides: RedisOptions = {},
): Redis | Cluster {
  const options = redisOptionsFrom(target.url, target.caFile)
  if (!target.cluster) return new Redis({ ...options, ...overrides })
  const { host, port, ...nodeOptions } = options
  return new Cluster([{ host, port }], {
    redisOptions: { ...nodeOptions, ...overrides },
    ...(overrides.enableOfflineQueue === undefined
      ? {}
      : { enableOfflineQueue: overrides.enableOfflineQueue }),
    ...(overrides.lazyConnect === undefined ? {} : { lazyConnect: overrides.lazyConnect }),
  })
}
