import { auditLogKey } from '@conveyor/queue-core'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyRequest {
    /** how many jobs a mutation acted on, for its audit entry */
    auditCount?: number
  }
  interface FastifyContextConfig {
    /** false: not audited (enqueueing and uploads: the producer's hot path) */
    audit?: boolean
  }
}

/** The audit log keeps this many entries, newest first. */
export const AUDIT_MAX = 10_000

/**
 * Appends every successful mutation (any method but GET/HEAD/OPTIONS, on a route not
 * marked `audit: false`) to a capped list in Redis: when, which key, which route, on
 * what, how many jobs. Written after the answer, so it never delays one.
 */
export const auditPlugin = fp<{ prefix: string }>(
  (app, options, done) => {
    const key = auditLogKey(options.prefix)
    app.addHook('onResponse', (request, reply, next) => {
      const method = request.method
      const url = request.routeOptions.url
      if (
        method === 'GET' ||
        method === 'HEAD' ||
        method === 'OPTIONS' ||
        url === undefined ||
        request.routeOptions.config.audit === false ||
        reply.statusCode >= 400
      ) {
        return next()
      }
      const params = (request.params ?? {}) as Record<string, string>
      const body = (request.body ?? {}) as Record<string, unknown>
      const target =
        params.id ??
        params.name ??
        [params.queue, typeof body.fingerprint === 'string' ? body.fingerprint : undefined]
          .filter((s) => s !== undefined)
          .join(' ')
      const entry = {
        at: new Date().toISOString(),
        key: request.apiKeyName ?? 'anonymous',
        action: `${method} ${url}`,
        target,
        status: reply.statusCode,
        ...(request.auditCount === undefined ? {} : { count: request.auditCount }),
      }
      app.redis
        .pipeline()
        .lpush(key, JSON.stringify(entry))
        .ltrim(key, 0, AUDIT_MAX - 1)
        .exec()
        .catch((err: unknown) => request.log.warn({ err }, 'audit entry not written'))
      next()
    })
    done()
  },
  { name: 'audit', dependencies: ['redis'] },
)
