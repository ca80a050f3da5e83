import { Worker } from '@conveyor/queue-core'
import {
  ConditionLog,
  createRedisClient,
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

export interface RunningWorkers {
  workers: Worker<ConveyorJobTypes>[]
  /** Closes the workers within `timeoutMs`, then the cluster client they shared, if any. */
  close(timeoutMs: number): Promise<void>
}

/** Starts one Worker per queue of the job catalog, each logging its jobs. */
export function runWorkers(options: {
  config: WorkerConfig
  handlers: HandlerMap<ConveyorJobTypes>
  logger: Logger
}): RunningWorkers {
  const { config } = options
  // A single Redis: each Worker opens its own connections from the options. A cluster:
  // one Cluster client shared by the Workers (each still opens its own blocking one).
  const shared = config.REDIS_CLUSTER
    ? createRedisClient(
        { url: config.REDIS_URL, caFile: config.REDIS_TLS_CA_FILE, cluster: true },
        { maxRetriesPerRequest: null },
      )
    : undefined
  shared?.on('error', (err: Error) =>
    options.logger.warn({ err }, 'redis cluster connection error'),
  )
  const conditions = new ConditionLog(options.logger)
  const connection = shared ?? redisOptionsFrom(config.REDIS_URL, config.REDIS_TLS_CA_FILE)
  const workers = jobRegistry.queues().map((queue) => {
    const worker = new Worker({
      connection,
      registry: jobRegistry,
      handlers: options.handlers,
      queue,
      prefix: config.QUEUE_PREFIX,
      concurrency: concurrencyOf(queue, config),
      leaseMs: config.WORKER_LEASE_MS,
      retention: {
        completedMs: config.RETAIN_COMPLETED_MS,
        completedCount: config.RETAIN_COMPLETED_COUNT,
      },
    })
    attachJobLog(worker, { logger: options.logger, conditions })
    return worker
  })
  return {
    workers,
    close: async (timeoutMs) => {
      // Every queue gets the whole grace period at once, not one after another.
      await Promise.all(workers.map((w) => w.close({ timeoutMs: timeoutMs })))
      conditions.close()
      await shared?.quit().catch(() => shared.disconnect())
    },
  }
}
