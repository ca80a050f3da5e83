import { EventEmitter } from 'node:events'
import type { RedisClient } from './connection.js'
import { closeQuietly, connect, type RedisConnection } from './connection.js'
import { DEFAULTS, toRetention, type Retention, type RetentionOptions } from './defaults.js'
import { EnqueueBatcher } from './enqueue-batcher.js'
import { prepareJob, type EnqueueOptions } from './enqueue-prep.js'
import { ConveyorError } from './errors.js'
import { toJobId } from './job-id.js'
import { legacyIdIndexKey, queueKeys, type QueueKeys } from './keys.js'
import type { QueueMetrics } from './metrics.js'
import { LimitsStore } from './limits/limits-store.js'
import { migrateQueue, type MigrationReport } from './migrate.js'
import { QueueReader, type JobPage, type ListPage } from './queue-reader.js'
import { redisCall } from './redis-errors.js'
import type { JobRegistry, JobTypeMap, JobTypeName, PayloadOf } from './registry.js'
import type { JobRecord, JobState, JobSummary, QueueCounts } from './schemas/job-record.js'
import { expectDone, SCRIPT_CODES } from './script-codes.js'
import { QueueScripts, type EnqueueArg, type EnqueueReply } from './scripts.js'

const DONE: number = SCRIPT_CODES.done
/** Jobs per script call in a bulk retry: keeps each call well under 10 ms. */
const BULK_CHUNK = 100

export interface QueueOptions<M extends JobTypeMap> {
  connection: RedisConnection
  registry: JobRegistry<M>
  /** the queue's name; default "default" */
  queue?: string
  /** first part of every key; default "conveyor" */
  prefix?: string
  /** length of the events stream (approximate); 0 turns events off; default 10,000 */
  eventsMaxLen?: number
  retention?: RetentionOptions
}

export type { EnqueueOptions } from './enqueue-prep.js'
export type { JobPage, ListPage } from './queue-reader.js'

export type BulkJob<M extends JobTypeMap> = {
  [K in JobTypeName<M>]: { type: K; payload: PayloadOf<M, K>; options?: EnqueueOptions }
}[JobTypeName<M>]

export interface EnqueueResult {
  /** the job's id, `<queue>:<local id>`: the existing job's for a repeated key or id */
  id: string
  /** false when an idempotency key, job id or dedup key matched a job that already exists */
  created: boolean
  /** a dedup key matched a live job; 'debounced': this job's payload replaced that one's */
  dedup?: 'matched' | 'debounced'
}

/** Jobs checked and encoded by Queue.prepareBulk, to be enqueued by the same queue. */
export class PreparedJobs {
  constructor(
    readonly queue: string,
    /** what the enqueue script takes, one entry per job */
    readonly args: readonly EnqueueArg[],
    /** where each job's errors point */
    readonly paths: readonly string[],
  ) {}
}

function keyReused(paths: readonly string[]): ConveyorError {
  const message = 'this idempotency key was given before for a different request'
  return new ConveyorError('idempotency_key_reused', message, {
    details: paths.map((p) => ({ path: `${p}/options/idempotencyKey`, message })),
  })
}

function result(queue: string, reply: EnqueueReply): EnqueueResult {
  const out: EnqueueResult = { id: toJobId(queue, reply.id), created: reply.created }
  if (reply.dedup) out.dedup = reply.dedup
  return out
}

/** The producer's and operator's handle on one queue. */
export class Queue<M extends JobTypeMap = JobTypeMap> extends EventEmitter<{ error: [unknown] }> {
  readonly name: string
  readonly prefix: string
  readonly keys: QueueKeys
  readonly redis: RedisClient
  private readonly owned: boolean
  private readonly registry: JobRegistry<M>
  private readonly scripts: QueueScripts
  private readonly reader: QueueReader
  private readonly retention: Retention
  /** the queue's limits and groups (README "Groups and limits") */
  readonly limits: LimitsStore
  /** single enqueues of one event-loop turn share one script call */
  private readonly singles: EnqueueBatcher

  constructor(options: QueueOptions<M>) {
    super()
    this.name = options.queue ?? DEFAULTS.queue
    this.prefix = options.prefix ?? DEFAULTS.prefix
    this.keys = queueKeys(this.prefix, this.name)
    const { client, owned } = connect(options.connection)
    this.redis = client
    this.owned = owned
    // Connection errors go to the 'error' event (if anyone listens); commands issued
    // meanwhile reject on their own, and ioredis reconnects by itself.
    if (owned)
      client.on('error', (err) => this.listenerCount('error') > 0 && this.emit('error', err))
    this.registry = options.registry
    this.retention = toRetention(options.retention)
    this.scripts = new QueueScripts(
      client,
      this.keys,
      options.eventsMaxLen ?? DEFAULTS.eventsMaxLen,
    )
    this.reader = new QueueReader(this.name, client, this.keys, this.scripts)
    this.singles = new EnqueueBatcher(this.scripts)
    this.limits = new LimitsStore(client, this.keys, this.scripts)
  }

  /** Validates and enqueues one job; throws ConveyorError('validation_failed') naming the field. */
  async enqueue<K extends JobTypeName<M>>(
    type: K,
    payload: PayloadOf<M, K>,
    options?: EnqueueOptions,
  ): Promise<EnqueueResult> {
    const arg = prepareJob(this.registry, { type, payload, options }, '')
    const reply = await this.singles.add(arg)
    if (reply.reused) throw keyReused([''])
    return result(this.name, reply)
  }

  /** Validates every job first (so one bad job enqueues none), then enqueues them all. */
  async enqueueBulk(jobs: readonly BulkJob<M>[]): Promise<EnqueueResult[]> {
    return this.enqueuePrepared(this.prepareBulk(jobs))
  }

  /**
   * The first half of enqueueBulk: validates and encodes every job, enqueuing nothing.
   * Lets a caller that spreads one request over several queues check all of it before
   * any queue takes a job. `paths[i]` is where job i's errors point (default `/i`).
   */
  prepareBulk(
    jobs: readonly { type: string; payload: unknown; options?: EnqueueOptions | undefined }[],
    paths?: readonly string[],
  ): PreparedJobs {
    const at = jobs.map((_, i) => paths?.[i] ?? `/${i}`)
    return new PreparedJobs(
      this.name,
      jobs.map((j, i) => prepareJob(this.registry, j, at[i] ?? '')),
      at,
    )
  }

  /** The second half of enqueueBulk, for jobs this queue's prepareBulk checked. */
  async enqueuePrepared(prepared: PreparedJobs): Promise<EnqueueResult[]> {
    if (prepared.queue !== this.name) {
      throw new ConveyorError(
        'internal',
        `jobs prepared for queue "${prepared.queue}" given to "${this.name}"`,
      )
    }
    const replies = await this.scripts.enqueue(prepared.args)
    const reused = replies.flatMap((r, i) => (r.reused ? [prepared.paths[i] ?? `/${i}`] : []))
    if (reused.length > 0) throw keyReused(reused)
    return replies.map((reply) => result(this.name, reply))
  }

  /**
   * The local part of a job id of this queue. An id without this queue's name (one
   * issued before ids named their queue) is taken as it is.
   */
  localId(id: string): string {
    return id.startsWith(`${this.name}:`) ? id.slice(this.name.length + 1) : id
  }

  /** The job, and for a queued one the limit it waits on, if any (`waitingOn`). */
  async getJob(id: string): Promise<JobRecord | null> {
    const [job] = await this.reader.getJobs([this.localId(id)])
    if (!job) return null
    const waitingOn = await this.limits.waitingOn(job)
    if (waitingOn) job.waitingOn = waitingOn
    return job
  }

  /** Records in the order of `ids`; a missing job is null. */
  async getJobs(ids: readonly string[]): Promise<(JobRecord | null)[]> {
    return this.reader.getJobs(ids.map((id) => this.localId(id)))
  }

  async counts(): Promise<QueueCounts> {
    return this.reader.counts()
  }

  /**
   * One page of the jobs in a state (QueueReader.list says in which order); `group`
   * pages one group's queued jobs.
   */
  async list(state: JobState, page: ListPage = {}): Promise<JobPage> {
    return this.reader.list(state, page)
  }

  /** Puts a dead (or cancelled) job back in line with a fresh count of attempts. */
  async retry(id: string): Promise<void> {
    const [code] = await this.scripts.retryJobs([this.localId(id)])
    expectDone(code ?? 0, id, 'only a dead or cancelled job can be retried')
  }

  /** Requeues every dead job; returns how many. */
  async retryAll(): Promise<number> {
    let total = 0
    for (;;) {
      const n = await this.scripts.retryDead(1000)
      total += n
      if (n < 1000) return total
    }
  }

  /**
   * Retries many dead or cancelled jobs, a chunk per script call; ids in any other
   * state are skipped. Returns how many went back in line.
   */
  async retryMany(ids: readonly string[]): Promise<number> {
    let done = 0
    for (let i = 0; i < ids.length; i += BULK_CHUNK) {
      const chunk = ids.slice(i, i + BULK_CHUNK).map((id) => this.localId(id))
      done += (await this.scripts.retryJobs(chunk)).filter((c) => c === DONE).length
    }
    return done
  }

  /** Cancels or deletes each job of `ids` that allows it; returns how many did. */
  async applyEach(action: 'cancel' | 'remove', ids: readonly string[]): Promise<number> {
    let done = 0
    for (const id of ids) {
      const code = await this.scripts[action](this.localId(id))
      if (code === DONE) done += 1
    }
    return done
  }

  /** Listing summaries of these jobs (null: no such job), never reading a big payload. */
  async summaries(ids: readonly string[]): Promise<(JobSummary | null)[]> {
    return this.reader.getSummaries(ids.map((id) => this.localId(id)))
  }

  /**
   * Cancels a job that has not finished. One not started (queued, scheduled or waiting
   * for a retry) is cancelled at once; a running one is asked to stop ('cancelling'):
   * the worker that holds it, wherever it is, aborts its handler's signal and stores it
   * cancelled, not retried.
   */
  async cancel(id: string): Promise<'cancelled' | 'cancelling'> {
    const code = await this.scripts.cancel(this.localId(id))
    expectDone(code, id, 'only a job not finished can be cancelled')
    return code === SCRIPT_CODES.cancelling ? 'cancelling' : 'cancelled'
  }

  /** Deletes a job that is not running, with its result and errors. */
  async remove(id: string): Promise<void> {
    expectDone(await this.scripts.remove(this.localId(id)), id, 'a running job cannot be removed')
  }

  /**
   * Counts, totals, the age of the oldest queued job and the duration and wait
   * histograms of every worker of this queue (as of their last heartbeat).
   */
  async metrics(): Promise<QueueMetrics> {
    return this.reader.metrics()
  }

  async pause(): Promise<void> {
    await this.scripts.pause(true)
  }

  async resume(): Promise<void> {
    await this.scripts.pause(false)
  }

  async isPaused(): Promise<boolean> {
    return (await redisCall(this.redis.hget(this.keys.meta, 'paused'))) === '1'
  }

  /** Applies retention now (workers do it on their own timer as well); returns how many went. */
  async trim(): Promise<number> {
    let total = 0
    for (;;) {
      const { trimmed, more } = await this.scripts.trim(this.retention, 1000)
      total += trimmed
      if (!more) return total
    }
  }

  /**
   * Converts this queue's jobs stored by release 0.1 (storage v1) and indexes their old
   * ids; idempotent and safe while workers run (see migrate.ts).
   */
  async migrate(): Promise<MigrationReport> {
    return migrateQueue({
      redis: this.redis,
      keys: this.keys,
      scripts: this.scripts,
      queue: this.name,
      indexKey: legacyIdIndexKey(this.prefix),
    })
  }

  async close(): Promise<void> {
    if (this.owned) await closeQuietly(this.redis)
  }
}
