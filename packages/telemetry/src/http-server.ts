import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api'
import type { HttpServerSpan, Telemetry } from './telemetry.js'
import { contextFrom } from './traceparent.js'

/** Server spans for an HTTP framework's hooks (the API's tracing plugin). */
export function httpServerSpans(tracer: Tracer): Telemetry['startHttpServerSpan'] {
  return (request) => {
    const parent = contextFrom(request.headers)
    const span = tracer.startSpan(
      `${request.method} ${request.route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': request.route,
          'url.path': request.path,
        },
      },
      parent,
    )
    const active = trace.setSpan(parent, span)
    let ended = false
    const handle: HttpServerSpan = {
      run: (fn) => context.with(active, fn),
      error: (err) => {
        span.recordException(err instanceof Error ? err : new Error(String(err)))
      },
      end: (statusCode) => {
        if (ended) return
        ended = true
        span.setAttribute('http.response.status_code', statusCode)
        if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
        span.end()
      },
    }
    return handle
  }
}
