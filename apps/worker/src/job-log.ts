import { isConveyorError, type JobInfo, type Worker } from '@conveyor/queue-core'
import type { ConditionLog, ConveyorJobTypes, Logger } from '@conveyor/service-kit'

/** Drops the type while the Worker does not know it yet (its `active` event comes first). */
function describe(job: JobInfo, queue: string) {
  return {
    jobId: job.id,
    ...(job.type === '' ? {} : { type: job.type }),
    queue,
    attempt: job.attempt,
  }
}

const round = (ms: number) => Math.round(ms)

/**
 * One structured log line per state change of every job the worker runs: active,
 * completed, retrying or dead (with the error), leases lost, and worker errors (a Redis
 * outage once while it lasts, through the process's one ConditionLog).
 */
export function attachJobLog(
  worker: Worker<ConveyorJobTypes>,
  logs: { logger: Logger; conditions: ConditionLog },
): void {
  const { logger, conditions } = logs
  const queue = worker.queue
  worker.on('active', (job) => {
    logger.info({ ...describe(job, queue), state: 'active' }, 'job active')
  })
  worker.on('completed', (job, _result, durationMs) => {
    logger.info(
      { ...describe(job, queue), state: 'completed', durationMs: round(durationMs) },
      'job completed',
    )
  })
  worker.on('failed', (job, error, outcome) => {
    const retrying = outcome.retryDelay !== null
    const fields = {
      ...describe(job, queue),
      state: retrying ? 'retrying' : 'dead',
      maxAttempts: job.maxAttempts,
      durationMs: round(outcome.durationMs),
      ...(retrying ? { retryInMs: outcome.retryDelay } : {}),
      error: error.message,
      ...(isConveyorError(error) ? { code: error.code } : {}),
    }
    if (retrying) logger.warn(fields, 'job failed, will retry')
    else logger.error(fields, 'job failed for good (dead-lettered)')
  })
  worker.on('lease-lost', (ids) => {
    logger.warn({ jobIds: ids, queue, state: 'lease-lost' }, 'lost the lease on jobs')
  })
  worker.on('error', (err) => conditions.report(err, { queue }, 'worker error'))
}
