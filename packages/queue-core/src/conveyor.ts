import type { RedisClient } from './connection.js'
import { closeQuietly, connect, type RedisConnection } from './connection.js'
import { DEFAULTS, type RetentionOptions } from './defaults.js'
import type { EnqueueOptions } from './enqueue-prep.js'
import { ConveyorError } from './errors.js'
import { parseJobId } from './job-id.js'
import { isValidQueueName, legacyIdIndexKey } from './keys.js'
import type { MigrationReport } from './migrate.js'
import { Queue, type BulkJob, type EnqueueResult, type PreparedJobs } from './queue.js'
import { redisCall } from './redis-errors.js'
import type { JobRegistry, JobTypeMap, JobTypeName, PayloadOf } from './registry.js'
import type { JobRecord } from './schemas/job-record.js'
import { toRetention } from './defaults.js'
import { Flows } from './workflows/flows.js'
import { Batches } from './workflows/batches.js'

export interface ConveyorOptions<M extends JobTypeMap> {
  connection: RedisConnection
  registry: JobRegistry<M>
  /** first part of every key; default "conveyor" */
  prefix?: string
  eventsMaxLen?: number
  retention?: RetentionOptions
}

/** A job found by its id, with the queue that holds it. */
export interface FoundJob<M extends JobTypeMap> {
  queue: Queue<M>
  job: JobRecord
}

/**
 * One producer and operator for every job type of a registry: `enqueue('sms', …)` goes
 * to the queue the registry routes sms to, and a job id (`<queue>:<local id>`) names
 * the queue that holds it, so finding a job is one lookup, never a search of every
 * queue. All queues share one connection.
 */
export class Conveyor<M extends JobTypeMap = JobTypeMap> {
  readonly redis: RedisClient
  readonly prefix: string
  private readonly owned: boolean
  private readonly registry: JobRegistry<M>
  private readonly options: ConveyorOptions<M>
  private readonly byName = new Map<string, Queue<M>>()
  /** flows: jobs that wait for other jobs (workflows/) */
  readonly flows: Flows<M>
  /** batches: groups of jobs with callbacks once all finished (workflows/) */
  readonly batches: Batches<M>

  constructor(options: ConveyorOptions<M>) {
    const { client, owned } = connect(options.connection)
    this.redis = client
    this.owned = owned
    // Connection errors surface as the commands' own ConveyorErrors; ioredis reconnects.
    if (owned) client.on('error', () => undefined)
    this.prefix = options.prefix ?? DEFAULTS.prefix
    this.registry = options.registry
    this.options = options
    for (const name of this.registry.queues()) this.queue(name)
    this.flows = new Flows({
      redis: client,
      prefix: this.prefix,
      registry: this.registry,
      eventsMaxLen: options.eventsMaxLen ?? DEFAULTS.eventsMaxLen,
      keepMs: Math.max(toRetention(options.retention).completedMs, 3_600_000),
    })
    this.batches = new Batches({
      redis: client,
      prefix: this.prefix,
      registry: this.registry,
      eventsMaxLen: options.eventsMaxLen ?? DEFAULTS.eventsMaxLen,
      queue: (name) => this.queue(name),
    })
  }

  /** The queue called `name` (any valid name; the registry's are made up front). */
  queue(name: string): Queue<M> {
    let queue = this.byName.get(name)
    if (!queue) {
      if (!isValidQueueName(name)) {
        throw new ConveyorError('queue_not_found', `no queue "${name}"`)
      }
      queue = new Queue<M>({
        connection: this.redis,
        registry: this.registry,
        queue: name,
        prefix: this.prefix,
        ...(this.options.eventsMaxLen === undefined
          ? {}
          : { eventsMaxLen: this.options.eventsMaxLen }),
        ...(this.options.retention === undefined ? {} : { retention: this.options.retention }),
      })
      this.byName.set(name, queue)
    }
    return queue
  }

  /** The queues the registry routes job types to. */
  queues(): Queue<M>[] {
    return this.registry.queues().map((name) => this.queue(name))
  }

  /** The queue a job type's jobs go to; ConveyorError('unknown_job_type') for an unknown type. */
  queueFor(type: string): Queue<M> {
    this.registry.assertType(type)
    return this.queue(this.registry.queueOf(type))
  }

  /** Validates one job and enqueues it on its type's queue. */
  async enqueue<K extends JobTypeName<M>>(
    type: K,
    payload: PayloadOf<M, K>,
    options?: EnqueueOptions,
  ): Promise<EnqueueResult> {
    return this.queueFor(type).enqueue(type, payload, options)
  }

  /**
   * Validates every job, whatever its queue, before enqueueing any (one bad job enqueues
   * none; errors point at `${at}/<index>`), then enqueues them, each on its type's
   * queue. Results come in the order given.
   */
  async enqueueBulk(jobs: readonly BulkJob<M>[], at = ''): Promise<EnqueueResult[]> {
    const groups = new Map<string, { indices: number[]; jobs: BulkJob<M>[] }>()
    for (const [i, job] of jobs.entries()) {
      this.registry.assertType(job.type, `${at}/${i}`)
      const name = this.registry.queueOf(job.type)
      let group = groups.get(name)
      if (!group) groups.set(name, (group = { indices: [], jobs: [] }))
      group.indices.push(i)
      group.jobs.push(job)
    }
    const prepared: { indices: number[]; queue: Queue<M>; jobs: PreparedJobs }[] = []
    for (const [name, group] of groups) {
      const queue = this.queue(name)
      const paths = group.indices.map((i) => `${at}/${i}`)
      prepared.push({ indices: group.indices, queue, jobs: queue.prepareBulk(group.jobs, paths) })
    }
    const out = new Array<EnqueueResult>(jobs.length)
    await Promise.all(
      prepared.map(async ({ indices, queue, jobs: ready }) => {
        const results = await queue.enqueuePrepared(ready)
        for (const [k, result] of results.entries()) out[indices[k] ?? 0] = result
      }),
    )
    return out
  }

  /**
   * A job and the queue that holds it, found from the id itself; for an id issued
   * before ids named their queue, from the index migrate() keeps. null when neither
   * knows it.
   */
  async find(id: string): Promise<FoundJob<M> | null> {
    const parsed = parseJobId(id)
    // Only queues this client knows: an id naming any other is looked up no further
    // than the index, and a caller cannot make it keep a Queue per name it invents.
    const named = parsed ? this.byName.get(parsed.queue) : undefined
    if (named) {
      const job = await named.getJob(id)
      if (job) return { queue: named, job }
    }
    const legacy = await redisCall(this.redis.hget(legacyIdIndexKey(this.prefix), id))
    if (legacy === null || !isValidQueueName(legacy)) return null
    const queue = this.queue(legacy)
    const job = await queue.getJob(id)
    return job ? { queue, job } : null
  }

  /** Like find, but a missing job is ConveyorError('job_not_found'). */
  async require(id: string): Promise<FoundJob<M>> {
    const found = await this.find(id)
    if (!found) throw new ConveyorError('job_not_found', `no job "${id}"`)
    return found
  }

  async getJob(id: string): Promise<JobRecord | null> {
    return (await this.find(id))?.job ?? null
  }

  /** Puts a dead (or cancelled) job back in line. */
  async retry(id: string): Promise<void> {
    const { queue, job } = await this.require(id)
    if (job.flow) await this.flows.beforeRetry(job.id, job.state)
    await queue.retry(id)
  }

  /** Cancels a job not finished; a running one is stopped where it runs (Queue.cancel). */
  async cancel(id: string): Promise<'cancelled' | 'cancelling'> {
    const { queue, job } = await this.require(id)
    const outcome = await queue.cancel(id)
    // A running one tells its flow itself, from its worker, once stored cancelled.
    if (job.flow && outcome === 'cancelled') await this.flows.cancelled(job.id)
    return outcome
  }

  /** Deletes a job that is not running. */
  async remove(id: string): Promise<void> {
    const { queue } = await this.require(id)
    await queue.remove(id)
  }

  /** Converts every registry queue's release-0.1 jobs (Queue.migrate). */
  async migrate(): Promise<MigrationReport[]> {
    const reports: MigrationReport[] = []
    for (const queue of this.queues()) reports.push(await queue.migrate())
    return reports
  }

  async close(): Promise<void> {
    if (this.owned) await closeQuietly(this.redis)
  }
}
