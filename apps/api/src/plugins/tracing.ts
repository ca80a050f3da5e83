import type { HttpServerSpan, Telemetry } from '@conveyor/telemetry'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyRequest {
    /** the request's server span, while telemetry is on */
    otelSpan?: HttpServerSpan
  }
}

export interface TracingPluginOptions {
  telemetry: Telemetry
}

/**
 * OpenTelemetry for the API, registered only when telemetry is configured: a server
 * span per request (a child of the caller's `traceparent`), each route's handler run
 * inside it, the queues' enqueues in producer spans whose traceparent the jobs keep,
 * and the queues' counts as OTel metrics.
 */
export const tracingPlugin = fp<TracingPluginOptions>(
  (app, { telemetry }, done) => {
    // The Conveyor's queues of the registry: every enqueue of the API goes through them.
    for (const queue of app.conveyor.queues()) telemetry.instrumentProducer(queue)
    telemetry.observeQueues(() => app.conveyor.queues())

    app.addHook('onRequest', (request, reply, next) => {
      const span = telemetry.startHttpServerSpan({
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        path: request.url.split('?')[0] ?? request.url,
        headers: request.headers,
      })
      request.otelSpan = span
      // A hijacked reply (server-sent events) ends without onResponse: close it here too.
      reply.raw.once('close', () => span.end(reply.raw.statusCode))
      next()
    })
    app.addHook('onError', (request, _reply, error, next) => {
      request.otelSpan?.error(error)
      next()
    })
    app.addHook('onResponse', (request, reply, next) => {
      request.otelSpan?.end(reply.statusCode)
      next()
    })
    app.addHook('onRoute', (route) => {
      const handler = route.handler
      route.handler = function traced(request, reply) {
        const call = () => handler.call(this, request, reply)
        return request.otelSpan ? request.otelSpan.run(call) : call()
      }
    })
    done()
  },
  { name: 'tracing', dependencies: ['conveyor'] },
)
