import type { BulkJob, EnqueueOptions, EnqueueResult, PreparedJobs } from '@conveyor/queue-core'
import { withTraceparent } from './enqueue-options.js'
import {
  context,
  SpanKind,
  SpanStatusCode,
  type Meter,
  type Span,
  type Tracer,
} from '@opentelemetry/api'
import type { Producer } from './telemetry.js'
import { traceparentOf } from './traceparent.js'

function failed(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err))
  span.recordException(error)
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
}

/**
 * Wraps a Queue's enqueue methods (on that instance only) so that each enqueue runs
 * in a producer span, child of the current span (the HTTP request), and the job stores
 * that span's traceparent. A batch is one span, whose traceparent every job of it gets.
 */
export function producerInstrumenter(tracer: Tracer, meter: Meter) {
  const enqueued = meter.createCounter('conveyor.producer.enqueued', {
    description: 'Jobs enqueued by this process, by queue and type',
  })

  return (queue: Producer): void => {
    const q = queue as unknown as {
      name: string
      enqueue(type: string, payload: unknown, options?: EnqueueOptions): Promise<EnqueueResult>
      prepareBulk(jobs: readonly BulkJob<never>[], paths?: readonly string[]): PreparedJobs
      enqueuePrepared(prepared: PreparedJobs): Promise<EnqueueResult[]>
    }
    const enqueue = q.enqueue.bind(q)
    const prepareBulk = q.prepareBulk.bind(q)
    const enqueuePrepared = q.enqueuePrepared.bind(q)
    const batches = new WeakMap<PreparedJobs, Span>()
    const attributes = (type?: string) => ({
      'messaging.system': 'conveyor',
      'messaging.operation.type': 'send',
      'messaging.destination.name': q.name,
      'conveyor.job.queue': q.name,
      ...(type === undefined ? {} : { 'conveyor.job.type': type }),
    })

    q.enqueue = async (type, payload, options) => {
      const span = tracer.startSpan(
        `enqueue ${type}`,
        { kind: SpanKind.PRODUCER, attributes: attributes(type) },
        context.active(),
      )
      try {
        const result = await enqueue(type, payload, withTraceparent(options, traceparentOf(span)))
        span.setAttributes({ 'conveyor.job.id': result.id, 'messaging.message.id': result.id })
        span.setAttribute('conveyor.job.created', result.created)
        enqueued.add(1, { 'conveyor.job.queue': q.name, 'conveyor.job.type': type })
        return result
      } catch (err) {
        failed(span, err)
        throw err
      } finally {
        span.end()
      }
    }

    q.prepareBulk = (jobs, paths) => {
      const span = tracer.startSpan(
        'enqueue batch',
        {
          kind: SpanKind.PRODUCER,
          attributes: { ...attributes(), 'messaging.batch.message_count': jobs.length },
        },
        context.active(),
      )
      const traceparent = traceparentOf(span)
      try {
        const traced = jobs.map((j) => ({ ...j, options: withTraceparent(j.options, traceparent) }))
        const prepared = prepareBulk(traced, paths)
        batches.set(prepared, span)
        return prepared
      } catch (err) {
        failed(span, err)
        span.end()
        throw err
      }
    }

    q.enqueuePrepared = async (prepared) => {
      const span = batches.get(prepared)
      try {
        const results = await enqueuePrepared(prepared)
        span?.setAttribute(
          'conveyor.job.ids',
          results.map((r) => r.id),
        )
        enqueued.add(results.length, { 'conveyor.job.queue': q.name })
        return results
      } catch (err) {
        if (span) failed(span, err)
        throw err
      } finally {
        span?.end()
      }
    }
  }
}
