import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'

const READY_TIMEOUT_MS = 1000

const Health = Type.Object({
  status: Type.String(),
  redis: Type.Optional(Type.String()),
})

/** Liveness (the process answers) and readiness (Redis answers a PING within 1 s). */
export const healthRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
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
        summary: 'Redis answers: ready to take jobs',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(resolve, READY_TIMEOUT_MS, false)
      })
      const ping = app.redis.ping().then(
        (pong) => pong === 'PONG',
        () => false,
      )
      const ok = await Promise.race([ping, timeout])
      clearTimeout(timer)
      if (ok) return { status: 'ready', redis: 'ok' }
      return reply.code(503).send({ status: 'unavailable', redis: 'unavailable' })
    },
  )
  done()
}
