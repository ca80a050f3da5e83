import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'

const w3c = new W3CTraceContextPropagator()
const setter = {
  set: (carrier: Record<string, string>, key: string, value: string) => void (carrier[key] = value),
}
const getter = {
  keys: (carrier: Record<string, string | string[] | undefined>) => Object.keys(carrier),
  get: (carrier: Record<string, string | string[] | undefined>, key: string) => carrier[key],
}

/** The W3C traceparent of a span: what a job carries to its consumer spans. */
export function traceparentOf(span: Span): string {
  const carrier: Record<string, string> = {}
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter)
  return carrier.traceparent ?? ''
}

/** A context whose parent is the given traceparent (or headers), the root when none. */
export function contextFrom(headers: Record<string, string | string[] | undefined>): Context {
  return w3c.extract(ROOT_CONTEXT, headers, getter)
}
