import { createRedisClient } from '@conveyor/service-kit'
import fp from 'fastify-plugin'
import type { Cluster, Redis, RedisOptions } from 'ioredis'

declare module 'fastify' {
  interface FastifyInstance {
    /** the shared command connection (queues, idempotency, readiness) */
    redis: Redis | Cluster
    /** opens another connection to the same server or cluster, e.g. for blocking reads */
    redisConnect: (options?: RedisOptions) => Redis | Cluster
  }
}

/**
 * Fail fast instead of queueing: with Redis down a request must get its 503 within
 * about two seconds, not hang until ioredis reconnects.
 */
export const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 1000,
  commandTimeout: 1500,
}

// How long start-up waits for the first connection. The app starts without Redis too
// (readiness says 503 until it is back), so this only spares the first requests a
// "not connected yet" failure.
const FIRST_CONNECT_WAIT_MS = 1000

export interface RedisPluginOptions {
  url: string
  /** REDIS_TLS_CA_FILE: the CA to verify a rediss:// server with */
  caFile?: string | undefined
  /** REDIS_CLUSTER: the URL names one node of a Redis Cluster */
  cluster?: boolean | undefined
}

/** Decorates the app with one shared ioredis client and closes it with the app. */
export const redisPlugin = fp<RedisPluginOptions>(
  async (app, options) => {
    const target = { url: options.url, caFile: options.caFile, cluster: options.cluster }
    const redis = createRedisClient(target, { ...FAIL_FAST, lazyConnect: true })
    let lastLogged = ''
    redis.on('error', (err: Error) => {
      // ioredis repeats the same error on every reconnect attempt: log each kind once.
      if (err.message === lastLogged) return
      lastLogged = err.message
      app.log.warn({ err }, 'redis connection error')
    })
    redis.on('ready', () => {
      if (lastLogged !== '') app.log.info('redis connection ready')
      lastLogged = ''
    })
    redis.connect().catch(() => undefined)
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS, false)
      redis.once('ready', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    if (!connected) {
      app.log.warn('redis is not reachable yet; the API starts and answers 503 meanwhile')
    }

    app.decorate<Redis | Cluster>('redis', redis)
    app.decorate('redisConnect', (extra: RedisOptions = {}) => createRedisClient(target, extra))
    app.addHook('onClose', async () => {
      try {
        await redis.quit()
      } catch {
        redis.disconnect()
      }
    })
  },
  { name: 'redis' },
)
