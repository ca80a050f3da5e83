import { JOB_STATES } from '@conveyor/queue-core'
import type { Meter } from '@opentelemetry/api'
import type { ObservedQueue } from './telemetry.js'

/**
 * Queue metrics as OTel observables, read from Redis once per export (one
 * `queue.metrics()` per queue): the same queue-wide numbers whichever process reports
 * them, as with the Prometheus endpoint.
 */
export function queueObserver(meter: Meter) {
  return (queues: () => readonly ObservedQueue[]): void => {
    const jobs = meter.createObservableGauge('conveyor.queue.jobs', {
      description: 'Jobs per queue and state',
    })
    const oldest = meter.createObservableGauge('conveyor.queue.oldest_job_age', {
      description: 'How long the job at the head of the queue has been due (0 when none is queued)',
      unit: 's',
    })
    const paused = meter.createObservableGauge('conveyor.queue.paused', {
      description: '1 when the queue is paused',
    })
    const totals = meter.createObservableCounter('conveyor.queue.attempts', {
      description: 'Job attempts by outcome, over all workers (kept in Redis)',
    })
    meter.addBatchObservableCallback(
      async (result) => {
        const list = queues()
        const all = await Promise.all(list.map((q) => q.metrics().catch(() => null)))
        list.forEach((queue, i) => {
          const m = all[i]
          if (!m) return
          const q = { 'conveyor.job.queue': queue.name }
          for (const state of JOB_STATES) {
            result.observe(jobs, m.counts[state], { ...q, 'conveyor.job.state': state })
          }
          result.observe(oldest, (m.oldestQueuedAgeMs ?? 0) / 1000, q)
          result.observe(paused, m.counts.paused ? 1 : 0, q)
          for (const [outcome, value] of Object.entries(m.totals)) {
            result.observe(totals, value, { ...q, 'conveyor.job.outcome': outcome })
          }
        })
      },
      [jobs, oldest, paused, totals],
    )
  }
}
