import { createHash } from 'node:crypto'
import { ConveyorError } from '../errors.js'
import { prepareJob } from '../enqueue-prep.js'
import { newLocalId, toJobId } from '../job-id.js'
import { isValidFlowId } from '../keys.js'
import { execPipeline, redisCall } from '../redis-errors.js'
import type { JobRegistry, JobTypeMap } from '../registry.js'
import type { Queue } from '../queue.js'
import { PreparedJobs } from '../queue.js'
import {
  BatchInput,
  BatchJobs,
  type BatchCreated,
  type BatchJobInput,
  type BatchView,
} from '../schemas/batch.js'
import type { EnqueueArg } from '../scripts.js'
import { decodeSpec, encodeSpec } from '../spec-codec.js'
import { compileChecker } from '../validation.js'
import { BATCH_SWEEP_EVERY_MS } from './batch-sweeper.js'
import { BatchStore, callbackJobId, type CallbackKind } from './batch-store.js'
import type { RedisClient } from '../connection.js'

const checkBatch = compileChecker<BatchInput>(BatchInput)
const checkJobs = compileChecker<BatchJobs>(BatchJobs)

function notFound(id: string): ConveyorError {
  return new ConveyorError('batch_not_found', `no batch "${id}"`)
}

export interface BatchesOptions<M extends JobTypeMap> {
  redis: RedisClient
  prefix: string
  registry: JobRegistry<M>
  eventsMaxLen: number
  queue: (name: string) => Queue<M>
}

/**
 * Batches: a group of jobs, added until the batch is closed, and callback jobs fired
 * once every job finished: onSuccess (all completed) and onComplete (whatever the
 * outcomes), each given the counts and the failed ids (`job.batch()`), each exactly once.
 */
export class Batches<M extends JobTypeMap = JobTypeMap> {
  readonly store: BatchStore<M>
  private readonly queue: (name: string) => Queue<M>

  constructor(o: BatchesOptions<M>) {
    this.store = new BatchStore(o.redis, o.prefix, o.registry, o.eventsMaxLen)
    this.queue = o.queue
  }

  /** Opens a batch (and adds `jobs`, if any); callbacks are checked now, errors naming their field. */
  async create(input: unknown): Promise<BatchCreated> {
    const batch = checkBatch.parse(input)
    const meta: Record<string, string | number> = {
      state: 'open',
      createdAt: Date.now(),
      total: 0,
      completed: 0,
      dead: 0,
      cancelled: 0,
    }
    for (const kind of ['onSuccess', 'onComplete'] as const) {
      const cb = batch[kind]
      if (!cb) continue
      prepareJob(this.store.registry, cb, `/${kind}`)
      meta[kind] = JSON.stringify(cb)
    }
    if (batch.name !== undefined) meta.name = batch.name
    const jobs = batch.jobs ?? []
    const prepared = this.prepare('', jobs, '/jobs')
    const batchId = newLocalId()
    await redisCall(
      this.store.redis.zadd(this.store.index, Date.now() + BATCH_SWEEP_EVERY_MS, batchId),
    )
    await execPipeline(this.store.redis.multi().hset(this.store.keys(batchId).meta, meta))
    const ids = jobs.length === 0 ? [] : await this.addPrepared(batchId, prepared)
    return { batchId, jobs: ids }
  }

  /**
   * Adds jobs to an open batch; ConveyorError invalid_state once it is closed. With an
   * `idempotencyKey`, job i's id comes from the batch, the key and i: a call that failed
   * after counting its jobs (some queues enqueued, some not), done again with the same
   * key, counts each job once and enqueues only those that are missing.
   */
  async add(
    batchId: string,
    input: unknown,
    options: { idempotencyKey?: string } = {},
  ): Promise<string[]> {
    if (!isValidFlowId(batchId)) throw notFound(batchId)
    const { jobs } = checkJobs.parse(input)
    const prepared = this.prepare(batchId, jobs, '/jobs')
    const key = options.idempotencyKey
    if (key !== undefined) {
      const tag = createHash('sha256').update(key).digest('hex').slice(0, 20)
      for (const group of prepared.byQueue.values()) {
        group.args.forEach((arg, k) => {
          arg.id = `${batchId}-${tag}-${group.order[k] ?? k}`
          arg.checkId = true
        })
      }
    }
    return this.addPrepared(batchId, prepared)
  }

  /** No more jobs; the callbacks fire once every job finished. */
  async close(batchId: string): Promise<void> {
    if (!isValidFlowId(batchId)) throw notFound(batchId)
    const due = await this.store.run('batch-close', batchId, [])
    if (due === -1) throw notFound(batchId)
    await this.store.fire(batchId, due as CallbackKind[])
  }

  async get(batchId: string): Promise<BatchView | null> {
    if (!isValidFlowId(batchId)) return null
    const meta = await redisCall(this.store.redis.hgetall(this.store.keys(batchId).meta))
    if (meta.state === undefined) return null
    const report = await this.store.report(batchId)
    const { total, completed, dead, cancelled } = report.counts
    const view: BatchView = {
      id: batchId,
      state: meta.state as BatchView['state'],
      createdAt: Number(meta.createdAt),
      counts: { ...report.counts, pending: total - completed - dead - cancelled },
      failed: report.failed,
      callbacks: {},
    }
    for (const kind of ['onSuccess', 'onComplete'] as const) {
      if (meta[`fired:${kind}`] !== 'enqueued' || meta[kind] === undefined) continue
      const type = (JSON.parse(meta[kind]) as BatchJobInput).type
      view.callbacks[kind] = toJobId(
        this.store.registry.queueOf(type),
        callbackJobId(batchId, kind),
      )
    }
    if (meta.name !== undefined) view.name = meta.name
    if (meta.finishedAt !== undefined) view.finishedAt = Number(meta.finishedAt)
    return view
  }

  /** Checks every job (one bad job adds none) and marks each spec with its batch. */
  private prepare(batchId: string, jobs: readonly BatchJobInput[], at: string) {
    const byQueue = new Map<string, { args: EnqueueArg[]; paths: string[]; order: number[] }>()
    jobs.forEach((j, i) => {
      const arg = prepareJob(this.store.registry, j, `${at}/${i}`)
      const queue = this.store.registry.queueOf(j.type)
      let group = byQueue.get(queue)
      if (!group) byQueue.set(queue, (group = { args: [], paths: [], order: [] }))
      group.args.push(arg)
      group.paths.push(`${at}/${i}`)
      group.order.push(i)
    })
    return { byQueue, count: jobs.length, batchId }
  }

  /** Counts the jobs into the batch first (batch-add.lua), then enqueues them. */
  private async addPrepared(
    batchId: string,
    prepared: ReturnType<Batches<M>['prepare']>,
  ): Promise<string[]> {
    const ids = new Array<string>(prepared.count)
    for (const [queue, group] of prepared.byQueue) {
      for (const [k, arg] of group.args.entries()) {
        const spec = decodeSpec(arg.spec)
        spec.batch = batchId
        arg.spec = encodeSpec(spec)
        ids[group.order[k] ?? 0] = toJobId(queue, arg.id)
      }
    }
    const counted = await this.store.run('batch-add', batchId, ids)
    if (counted === -1) throw notFound(batchId)
    if (counted === 0) {
      throw new ConveyorError('invalid_state', `batch "${batchId}" is closed: no more jobs`)
    }
    await Promise.all(
      [...prepared.byQueue].map(([queue, group]) =>
        this.queue(queue).enqueuePrepared(new PreparedJobs(queue, group.args, group.paths)),
      ),
    )
    return ids
  }
}
