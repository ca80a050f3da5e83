import { Worker } from '@conveyor/queue-core'
import {
  jobRegistry,
  redisOptionsFrom,
  type ConveyorJobTypes,
  type Logger,
} from '@conveyor/service-kit'
import type { HandlerMap } from '@conveyor/queue-core'
import type { WorkerConfig } from './config.js'
import { attachJobLog } from './job-log.js'

/** Conversions are CPU-bound and get their own, smaller pool; every other queue the main one. */
export function concurrencyOf(queue: string, config: WorkerConfig): number {
  return queue === 'convert' ? config.CONVERT_CONCURRENCY : config.WORKER_CONCURRENCY
}

/** Starts one Worker per queue of the job catalog, each logging its jobs. */
export function runWorkers(options: {
  config: WorkerConfig
  handlers: HandlerMap<ConveyorJobTypes>
  logger: Logger
}): Worker<ConveyorJobTypes>[] {
  const { config } = options
  const connection = redisOptionsFrom(config.REDIS_URL, config.REDIS_TLS_CA_FILE)
  return jobRegistry.queues().map((queue) => {
    const worker = new Worker({
      connection,
      registry: jobRegistry,
      handlers: options.handlers,
      queue,
      prefix: config.QUEUE_PREFIX,
      concurrency: concurrencyOf(queue, config),
      leaseMs: config.WORKER_LEASE_MS,
    })
    attachJobLog(worker, options.logger)
    return worker
  })
}
