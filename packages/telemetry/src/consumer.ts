import type { HandlerMap, JobContext, JobHandler, JobTypeMap } from '@conveyor/queue-core'
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Meter,
  type Tracer,
} from '@opentelemetry/api'
import { failureOutcome, type AttemptOutcome } from './outcome.js'
import { contextFrom } from './traceparent.js'

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/**
 * Wraps each handler so that every attempt runs in a consumer span: a child of the
 * span whose traceparent the job carries (the enqueue, or the scheduler's fire), so
 * all attempts of a job, retries included, sit under the request that made it. The
 * span ends when the handler settles, or when the attempt is cut short (timeout, lost
 * lease, shutdown) with the signal's reason.
 */
export function consumerWrapper(tracer: Tracer, meter: Meter) {
  const attempts = meter.createCounter('conveyor.worker.attempts', {
    description: 'Job attempts run by this worker, by queue, type and outcome',
  })
  const durations = meter.createHistogram('conveyor.worker.attempt.duration', {
    description: 'Handler wall time per attempt',
    unit: 's',
  })

  const wrap =
    (handler: JobHandler): JobHandler =>
    (job: JobContext) => {
      const parent = job.traceparent
        ? contextFrom({ traceparent: job.traceparent })
        : context.active()
      const span = tracer.startSpan(
        `process ${job.type}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'conveyor',
            'messaging.operation.type': 'process',
            'messaging.destination.name': job.queue,
            'messaging.message.id': job.id,
            'conveyor.job.id': job.id,
            'conveyor.job.type': job.type,
            'conveyor.job.queue': job.queue,
            'conveyor.job.attempt': job.attempt,
            'conveyor.job.max_attempts': job.maxAttempts,
          },
        },
        parent,
      )
      const started = performance.now()
      let ended = false
      const end = (outcome: AttemptOutcome, error?: unknown) => {
        if (ended) return
        ended = true
        job.signal.removeEventListener('abort', onAbort)
        span.setAttribute('conveyor.job.outcome', outcome)
        if (error !== undefined) {
          const err =
            error instanceof Error ? error : new Error(JSON.stringify(error) ?? 'undefined')
          span.recordException(err)
          span.setStatus({ code: SpanStatusCode.ERROR, message: err.message })
        }
        span.end()
        const labels = { 'conveyor.job.queue': job.queue, 'conveyor.job.type': job.type }
        attempts.add(1, { ...labels, 'conveyor.job.outcome': outcome })
        durations.record((performance.now() - started) / 1000, labels)
      }
      const failed = (err: unknown) => end(failureOutcome(err, job.attempt, job.maxAttempts), err)
      // The worker stops waiting for a handler it aborts: so does the span.
      const onAbort = () => failed(job.signal.reason)
      job.signal.addEventListener('abort', onAbort)
      let value: unknown
      try {
        value = context.with(trace.setSpan(parent, span), () => handler(job))
      } catch (err) {
        failed(err)
        throw err
      }
      if (!isThenable(value)) {
        end('completed')
        return value
      }
      return Promise.resolve(value).then(
        (result) => {
          end('completed')
          return result
        },
        (err: unknown) => {
          failed(err)
          throw err
        },
      )
    }

  return <M extends JobTypeMap>(handlers: HandlerMap<M>): HandlerMap<M> => {
    const out: Record<string, JobHandler> = {}
    for (const [type, handler] of Object.entries(
      handlers as Record<string, JobHandler | undefined>,
    )) {
      if (handler) out[type] = wrap(handler)
    }
    return out as HandlerMap<M>
  }
}
