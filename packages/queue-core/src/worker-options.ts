import type { RedisConnection } from './connection.js'
import type { RetentionOptions } from './defaults.js'
import type { HandlerMap } from './job-context.js'
import type { JobRegistry, JobTypeMap } from './registry.js'

export interface WorkerOptions<M extends JobTypeMap> {
  connection: RedisConnection
  registry: JobRegistry<M>
  handlers: HandlerMap<M>
  /** the queue to run; default "default" */
  queue?: string
  prefix?: string
  /** handlers running at once; default 1 */
  concurrency?: number
  /**
   * jobs reserved ahead of free slots, so a slot never waits for a round trip; 'auto'
   * (default) sizes it to about 20 ms of work at the handlers' observed speed
   */
  prefetch?: number | 'auto'
  /** a job whose worker stops renewing its lease for this long is rescued; default 30 s */
  leaseMs?: number
  /** a job whose lease expires more often than this is dead-lettered; default 3 */
  maxStalls?: number
  /** the longest one blocking wait for work lasts before the worker looks again; default 5 s */
  blockMs?: number
  /**
   * When a finished job's slot takes the next job. By default (false) once its outcome
   * is in the operating system's socket buffer, so a slot does not wait a round trip per
   * job; a SIGKILLed worker still repeats at most `concurrency` jobs, as the kernel
   * delivers what was written. true waits for Redis to confirm the outcome stored,
   * which keeps that bound through network faults too, at the cost of a round trip
   * per job and slot. Through a Redis Cluster, TLS or an auto-pipelined client the
   * worker always waits.
   */
  holdSlotUntilStored?: boolean
  eventsMaxLen?: number
  retention?: RetentionOptions
  /**
   * the largest result a handler may return, in bytes of JSON; a larger one fails the
   * attempt with `result_too_large` (no retry); default 1 MiB
   */
  maxResultBytes?: number
  /**
   * the most payload bytes one reserve call brings back (at least one job always
   * comes): big jobs are fetched a few at a time; default 8 MiB
   */
  maxReserveBytes?: number
  /**
   * run a FlowSweeper, which repairs flow steps a crashed process left half done
   * (workflows/); default true
   */
  flowSweeper?: boolean
  /** start fetching at once (default true); otherwise call run() */
  autorun?: boolean
}

export const WORKER_DEFAULTS = {
  blockMs: 5_000,
  maxResultBytes: 1_048_576,
  maxReserveBytes: 8_388_608,
} as const
