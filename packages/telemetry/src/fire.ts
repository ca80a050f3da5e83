import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import type { Telemetry } from './telemetry.js'
import { traceparentOf } from './traceparent.js'

/** The scheduler's fires: each a root producer span whose traceparent the job takes. */
export function fireTracer(tracer: Tracer): Telemetry['traceFire'] {
  return async (info, run) => {
    const span = tracer.startSpan(
      `schedule ${info.schedule}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'conveyor',
          'messaging.operation.type': 'send',
          'messaging.destination.name': info.queue,
          'messaging.message.id': info.jobId,
          'conveyor.schedule.name': info.schedule,
          'conveyor.schedule.slot': new Date(info.slotMs).toISOString(),
          'conveyor.job.id': info.jobId,
          'conveyor.job.type': info.type,
          'conveyor.job.queue': info.queue,
        },
      },
      ROOT_CONTEXT,
    )
    try {
      return await run(traceparentOf(span))
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err))
      span.recordException(error)
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
      throw err
    } finally {
      span.end()
    }
  }
}
