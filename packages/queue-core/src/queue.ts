import { EventEmitter } from 'node:events'
import type { RedisClient } from './connection.js'
import { DEFAULT_BACKOFF } from './backoff.js'
import { closeQuietly, connect, type RedisConnection } from './connection.js'
import { DEFAULTS, toRetention, type RetentionOptions } from './defaults.js'
import { ConveyorError } from './errors.js'
import { newJobId } from './job-id.js'
import { EnqueueBatcher } from './enqueue-batcher.js'
import { decodeStoredRecord, splitStoredJob, toJobRecord } from './job-record.js'
import { compactSpec } from './spec-defaults.js'
import { decodeStats, type QueueMetrics } from './metrics.js'
import { queueKeys, scriptKeys, type QueueKeys } from './keys.js'
import type { JobRegistry, JobTypeMap, JobTypeName, PayloadOf } from './registry.js'
import { EnqueueOptions as EnqueueOptionsSchema, type ResolvedSpec } from './schemas/envelope.js'
import type { JobRecord, JobState, QueueCounts } from './schemas/job-record.js'
import { QueueScripts, type EnqueueArg, type EnqueueResult, type Retention } from './scripts.js'
import { compileChecker, type Checker } from './validation.js'

export interface QueueOptions<M extends JobTypeMap> {
  connection: RedisConnection
  registry: JobRegistry<M>
  /** default "default" */
  name?: string
  /** first part of every key; default "conveyor" */
  prefix?: string
  /** length of the events stream (approximate); 0 turns events off; default 10,000 */
  eventsMaxLen?: number
  retention?: RetentionOptions
}

/** Enqueue options as the TypeScript API takes them: `runAt` may be a Date. */
export type EnqueueOptions = Omit<EnqueueOptionsSchema, 'runAt'> & { runAt?: number | Date }

export type BulkJob<M extends JobTypeMap> = {
  [K in JobTypeName<M>]: { type: K; payload: PayloadOf<M, K>; options?: EnqueueOptions }
}[JobTypeName<M>]

export type { EnqueueResult } from './scripts.js'

export interface JobPage {
  jobs: JobRecord[]
  total: number
}

const checkOptions: Checker<EnqueueOptionsSchema> = compileChecker(EnqueueOptionsSchema)

/** Jobs checked and encoded by Queue.prepareBulk, to be enqueued by the same queue. */
export class PreparedJobs {
  constructor(
    readonly queue: string,
    /** what the enqueue script takes, one entry per job */
    readonly args: readonly EnqueueArg[],
  ) {}
}

/** The producer's and operator's handle on one queue. */
export class Queue<M extends JobTypeMap = JobTypeMap> extends EventEmitter<{ error: [unknown] }> {
  readonly name: string
  readonly keys: QueueKeys
  readonly redis: RedisClient
  private readonly owned: boolean
  private readonly registry: JobRegistry<M>
  private readonly scripts: QueueScripts
  private readonly retention: Retention
  /** single enqueues of one event-loop turn share one script call */
  private readonly singles: EnqueueBatcher

  constructor(options: QueueOptions<M>) {
    super()
    this.name = options.name ?? DEFAULTS.queue
    this.keys = queueKeys(options.prefix ?? DEFAULTS.prefix, this.name)
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
      scriptKeys(this.keys),
      options.eventsMaxLen ?? DEFAULTS.eventsMaxLen,
    )
    this.singles = new EnqueueBatcher(this.scripts)
  }

  /** Validates and enqueues one job; throws ConveyorError('validation_failed') naming the field. */
  async enqueue<K extends JobTypeName<M>>(
    type: K,
    payload: PayloadOf<M, K>,
    options?: EnqueueOptions,
  ): Promise<EnqueueResult> {
    return this.singles.add(this.prepare({ type, payload, options }, ''))
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
  prepareBulk(jobs: readonly BulkJob<M>[], paths?: readonly string[]): PreparedJobs {
    return new PreparedJobs(
      this.name,
      jobs.map((j, i) => this.prepare(j, paths?.[i] ?? `/${i}`)),
    )
  }

  /** The second half of enqueueBulk, for jobs this queue's prepareBulk checked. */
  async enqueuePrepared(prepared: PreparedJobs): Promise<EnqueueResult[]> {
    if (prepared.queue !== this.name) {
      throw new TypeError(`jobs prepared for queue "${prepared.queue}" given to "${this.name}"`)
    }
    return this.scripts.enqueue(prepared.args)
  }

  /** Validates one job (errors point under `at`) and builds what the enqueue script takes. */
  private prepare(
    job: { type: string; payload: unknown; options?: EnqueueOptions | undefined },
    at: string,
  ): EnqueueArg {
    const { type, payload, options } = job
    this.registry.parsePayload(type, payload, at)
    const opts =
      options?.runAt instanceof Date ? { ...options, runAt: options.runAt.getTime() } : options
    if (opts !== undefined) checkOptions.parse(opts, `${at}/options`)
    const defaults = this.registry.definition(type).defaults ?? {}
    const spec: ResolvedSpec = {
      type,
      payload,
      maxAttempts: opts?.maxAttempts ?? defaults.maxAttempts ?? DEFAULTS.maxAttempts,
      backoff: opts?.backoff ?? defaults.backoff ?? DEFAULT_BACKOFF,
      priority: opts?.priority ?? defaults.priority ?? DEFAULTS.priority,
      timeout: opts?.timeout ?? defaults.timeout ?? DEFAULTS.timeout,
      createdAt: Date.now(),
    }
    if (opts?.idempotencyKey !== undefined) spec.idempotencyKey = opts.idempotencyKey
    if (opts?.traceparent !== undefined) spec.traceparent = opts.traceparent
    return {
      id: opts?.jobId ?? newJobId(),
      spec: JSON.stringify(compactSpec(spec)),
      priority: spec.priority,
      delay: opts?.delay ?? 0,
      runAt: (opts?.runAt as number | undefined) ?? 0,
      idempotencyKey: opts?.idempotencyKey ?? '',
    }
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const [job] = await this.getJobs([id])
    return job ?? null
  }

  /** Records in the order of `ids`; a missing job is null. */
  async getJobs(ids: readonly string[]): Promise<(JobRecord | null)[]> {
    if (ids.length === 0) return []
    const k = this.keys
    const replies = await this.redis
      .pipeline()
      .hmget(k.jobs, ...ids)
      .hmget(k.results, ...ids)
      .hmget(k.progress, ...ids)
      .hmget(k.errors, ...ids)
      .exec()
    const cols = (replies ?? []).map(([err, value]) => {
      if (err) throw err
      return value as (string | null)[]
    })
    return ids.map((id, i) =>
      toJobRecord({
        id,
        queue: this.name,
        ...splitStoredJob(cols[0]?.[i] ?? null),
        result: cols[1]?.[i] ?? null,
        progress: cols[2]?.[i] ?? null,
        error: cols[3]?.[i] ?? null,
      }),
    )
  }

  async counts(): Promise<QueueCounts> {
    const [queued, scheduled, retrying, active, completed, dead, cancelled, paused] =
      await this.scripts.counts()
    return {
      queued: queued ?? 0,
      scheduled: scheduled ?? 0,
      retrying: retrying ?? 0,
      active: active ?? 0,
      completed: completed ?? 0,
      dead: dead ?? 0,
      cancelled: cancelled ?? 0,
      paused: paused === 1,
    }
  }

  /**
   * One page of the jobs in a state. Queued jobs come in the order they will run;
   * scheduled and retrying by due time; active by lease deadline; finished ones newest first.
   */
  async list(state: JobState, page: { offset?: number; limit?: number } = {}): Promise<JobPage> {
    const offset = Math.max(0, page.offset ?? 0)
    const limit = Math.min(Math.max(1, page.limit ?? 50), 1000)
    const { ids, total } =
      state === 'queued'
        ? await this.listQueued(offset, limit)
        : await this.listIndexed(state, offset, limit)
    const jobs = (await this.getJobs(ids)).filter((j): j is JobRecord => j !== null)
    return { jobs, total }
  }

  private async listIndexed(state: Exclude<JobState, 'queued'>, offset: number, limit: number) {
    const k = this.keys
    const index = {
      scheduled: k.delayed,
      retrying: k.retry,
      active: k.leases,
      completed: k.completed,
      dead: k.dead,
      cancelled: k.cancelled,
    }[state]
    const newestFirst = state === 'completed' || state === 'dead' || state === 'cancelled'
    const [total, ids] = await Promise.all([
      this.redis.zcard(index),
      newestFirst
        ? this.redis.zrange(index, offset, offset + limit - 1, 'REV')
        : this.redis.zrange(index, offset, offset + limit - 1),
    ])
    return { ids, total }
  }

  private async listQueued(offset: number, limit: number) {
    const lengths = await Promise.all(this.keys.ready.map((key) => this.redis.llen(key)))
    const total = lengths.reduce((a, b) => a + b, 0)
    const ranges: Promise<string[]>[] = []
    let skip = offset
    let want = limit
    for (const [p, len] of lengths.entries()) {
      if (want <= 0) break
      if (skip >= len) {
        skip -= len
        continue
      }
      const take = Math.min(want, len - skip)
      ranges.push(this.redis.lrange(this.keys.ready[p] ?? '', skip, skip + take - 1))
      want -= take
      skip = 0
    }
    return { ids: (await Promise.all(ranges)).flat(), total }
  }

  /** Puts a dead (or cancelled) job back in line with a fresh count of attempts. */
  async retry(id: string): Promise<void> {
    const [code] = await this.scripts.retryJobs([id])
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

  /** Cancels a job that has not started (queued, scheduled or waiting for a retry). */
  async cancel(id: string): Promise<void> {
    expectDone(
      await this.scripts.cancel(id),
      id,
      'only a queued, scheduled or retrying job can be cancelled',
    )
  }

  /** Deletes a job that is not running, with its result and errors. */
  async remove(id: string): Promise<void> {
    expectDone(await this.scripts.remove(id), id, 'a running job cannot be removed')
  }

  /**
   * Counts, totals, the age of the oldest queued job and the duration and wait
   * histograms of every worker of this queue (as of their last heartbeat).
   */
  async metrics(): Promise<QueueMetrics> {
    const k = this.keys
    // TIME has no key: outside the pipeline, which a cluster sends to the queue's node.
    const heads = this.redis.pipeline().hgetall(k.stats)
    for (const key of k.ready) heads.lindex(key, 0)
    const [counts, replies, time] = await Promise.all([
      this.counts(),
      heads.exec(),
      this.redis.time(),
    ])
    const values = (replies ?? []).map(([err, value]) => {
      if (err) throw err
      return value
    })
    const [stats, ...headIds] = values as [Record<string, string>, ...(string | null)[]]
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000)
    const ids = headIds.filter((id): id is string => id !== null)
    const records = ids.length > 0 ? await this.redis.hmget(k.jobs, ...ids) : []
    let oldest: number | null = null
    for (const value of records) {
      const raw = splitStoredJob(value).st
      const rec = raw === null ? null : decodeStoredRecord(raw)
      if (rec && (oldest === null || rec.runAt < oldest)) oldest = rec.runAt
    }
    return {
      counts,
      oldestQueuedAgeMs: oldest === null ? null : Math.max(0, now - oldest),
      ...decodeStats(stats),
    }
  }

  async pause(): Promise<void> {
    await this.scripts.pause(true)
  }

  async resume(): Promise<void> {
    await this.scripts.pause(false)
  }

  async isPaused(): Promise<boolean> {
    return (await this.redis.hget(this.keys.meta, 'paused')) === '1'
  }

  /** Applies retention now (workers do it on every heartbeat as well). */
  async trim(): Promise<number> {
    const { trimmed } = await this.scripts.recover({
      maxStalls: DEFAULTS.maxStalls,
      limit: 1000,
      retention: this.retention,
    })
    return trimmed
  }

  async close(): Promise<void> {
    if (this.owned) await closeQuietly(this.redis)
  }
}

function expectDone(code: number, id: string, invalid: string): void {
  if (code === 1) return
  if (code === 0) throw new ConveyorError('job_not_found', `no job "${id}"`)
  throw new ConveyorError('invalid_state', `job "${id}": ${invalid}`)
}
