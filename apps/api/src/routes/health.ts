import { probeRedis, type RedisHealth } from '@conveyor/queue-core'
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'

const READY_TIMEOUT_MS = 1000

const Health = Type.Object({
  status: Type.String(),
  redis: Type.Optional(Type.String()),
})

/**
 * Liveness (the process answers) and readiness (Redis takes a write within 1 s: a Redis
 * that answers PING but refuses writes, out of memory say, cannot take jobs).
 */
export const healthRoutes: FastifyPluginCallbackTypebox<{ keyPrefix: string }> = (
  app,
  options,
  done,
) => {
  app.get(
    '/healthz',
    {
      config: { public: true, rateLimit: false },
      schema: { tags: ['health'], summary: 'The process is up', response: { 200: Health } },
    },
    () => ({ status: 'ok' }),
  )

  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Redis takes writes: ready to take jobs',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<RedisHealth>((resolve) => {
        timer = setTimeout(resolve, READY_TIMEOUT_MS, 'unavailable')
      })
      const probe = probeRedis(app.redis, { prefix: options.keyPrefix }).catch(
        (): RedisHealth => 'unavailable',
      )
      const health = await Promise.race([probe, timeout])
      clearTimeout(timer)
      if (health === 'ok') return { status: 'ready', redis: 'ok' }
      return reply.code(503).send({ status: 'unavailable', redis: health })
    },
  )
  done()
}
