import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import { bounded, sleep } from './bounded-wait.js'
import { CancelListener } from './cancel-listener.js'
import { CompletionBatcher } from './completion-batcher.js'
import { closeQuietly, type RedisClient } from './connection.js'
import { DEFAULTS, toRetention, type Retention } from './defaults.js'
import { ConveyorError } from './errors.js'
import type { JobInfo, WorkerEvents } from './job-context.js'
import { toJobId } from './job-id.js'
import { runJob, type HeldJob, type Outcome, type RunEnv } from './job-runner.js'
import { queueKeys, type QueueKeys } from './keys.js'
import { LeaseRescuer } from './lease-rescuer.js'
import { HistoryRecorder } from './metrics-history.js'
import { addBeat, leave, processInfo, type WorkerInfo } from './worker-registry.js'
import { HistogramRecorder } from './metrics.js'
import { PrefetchWindow } from './prefetch.js'
import { execPipeline } from './redis-errors.js'
import type { JobTypeMap } from './registry.js'
import { RetentionPruner } from './retention-pruner.js'
import type { Lease, QueueScripts, ReserveOptions, ReservedRaw } from './scripts.js'
import { serializeError } from './thrown.js'
import { WorkerConnections } from './worker-connections.js'
import { WORKER_DEFAULTS, type WorkerOptions } from './worker-options.js'
import { FlowDriver } from './workflows/flow-driver.js'
import { FlowStore, type NodeFinished, type NodeOutcome } from './workflows/flow-store.js'
import { FlowSweeper } from './workflows/flow-sweeper.js'
import { BatchStore } from './workflows/batch-store.js'
import { BatchSweeper } from './workflows/batch-sweeper.js'

export type { WorkerOptions } from './worker-options.js'

type State = 'idle' | 'running' | 'closing' | 'closed'

/** A stored outcome a flow or batch must hear of. */
interface FlowNote {
  flow: { id: string; node: string } | undefined
  batch: string | undefined
  outcome: NodeOutcome
  result: string
}

/** Progress is a status, not a result: a larger value is refused. */
const MAX_PROGRESS_BYTES = 65_536

/**
 * Runs jobs of one queue. Reserves batches of jobs under a lease, runs up to
 * `concurrency` handlers, stores outcomes in batches, renews its leases and rescues
 * those of dead workers on a heartbeat, applies retention on a timer of its own, and
 * shuts down gracefully on close().
 */
export class Worker<M extends JobTypeMap = JobTypeMap> extends EventEmitter<WorkerEvents> {
  readonly id = randomBytes(6).toString('hex')
  readonly queue: string
  readonly keys: QueueKeys
  private readonly connections: WorkerConnections
  private readonly redis: RedisClient
  private readonly scripts: QueueScripts
  private readonly retention: Retention
  private readonly batcher: CompletionBatcher
  private readonly rescuer: LeaseRescuer
  private readonly pruner: RetentionPruner
  private readonly histograms = new HistogramRecorder()
  private readonly history = new HistoryRecorder()
  private readonly startedAt = Date.now()
  private readonly env: RunEnv<M>
  private readonly concurrency: number
  private readonly prefetch: PrefetchWindow
  private readonly leaseMs: number
  private readonly blockMs: number
  private readonly maxReserveBytes: number
  private readonly held = new Map<string, HeldJob>()
  private buffer: HeldJob[] = []
  private running = 0
  /**
   * Outcomes handed to the batcher and not yet on the wire (or, with
   * holdSlotUntilStored, not yet stored). They keep their slot: a worker killed now
   * would run them again, so counting them keeps the jobs that a crash can duplicate
   * to `concurrency` at most.
   */
  private readonly unsettled = new Set<Lease>()
  private state: State = 'idle'
  private loopDone: Promise<void> = Promise.resolve()
  private slotWaiter: (() => void) | null = null
  private idleWaiter: (() => void) | null = null
  private heartbeatTimer: NodeJS.Timeout | undefined
  private closing: Promise<void> | undefined
  private heartbeatAt = 0
  private readonly stopPreloading: () => void
  private readonly cancels: CancelListener
  private readonly flows: FlowDriver
  private readonly batches: BatchStore<M>
  private readonly flowSweeper: FlowSweeper | undefined
  /** outcomes of flow jobs on their way to Redis, to tell their flow once stored */
  private readonly flowNotes = new Map<Lease, FlowNote>()

  constructor(options: WorkerOptions<M>) {
    super()
    this.queue = options.queue ?? DEFAULTS.queue
    this.keys = queueKeys(options.prefix ?? DEFAULTS.prefix, this.queue)
    this.concurrency = Math.max(1, options.concurrency ?? 1)
    this.prefetch = new PrefetchWindow(this.concurrency, options.prefetch ?? 'auto')
    this.leaseMs = options.leaseMs ?? DEFAULTS.leaseMs
    this.blockMs = options.blockMs ?? WORKER_DEFAULTS.blockMs
    this.maxReserveBytes = options.maxReserveBytes ?? WORKER_DEFAULTS.maxReserveBytes
    this.retention = toRetention(options.retention)
    this.connections = new WorkerConnections({
      connection: options.connection,
      keys: this.keys,
      eventsMaxLen: options.eventsMaxLen ?? DEFAULTS.eventsMaxLen,
      onError: (err) => this.reportError(err),
    })
    this.redis = this.connections.redis
    this.scripts = this.connections.scripts
    this.stopPreloading = this.scripts.runner.preload(['ack', 'fail'])
    this.batcher = new CompletionBatcher(this.scripts, this.retention, {
      ...(options.holdSlotUntilStored ? {} : { sent: (leases) => this.sent(leases) }),
      settled: (leases, refused) => this.settled(leases, refused),
      error: (err) => this.reportError(err),
    })
    this.rescuer = new LeaseRescuer(this.scripts, {
      maxStalls: options.maxStalls ?? DEFAULTS.maxStalls,
    })
    this.pruner = new RetentionPruner(this.scripts, this.retention, (err) => this.reportError(err))
    this.cancels = new CancelListener(
      options.connection,
      this.keys.cancelChannel,
      (id) => this.cancelHeld(id),
      (err) => this.reportError(err),
    )
    const prefix = options.prefix ?? DEFAULTS.prefix
    this.flows = new FlowDriver({
      store: new FlowStore(this.redis, prefix, options.eventsMaxLen ?? DEFAULTS.eventsMaxLen),
      keepMs: Math.max(this.retention.completedMs, 3_600_000),
    })
    this.batches = new BatchStore(
      this.redis,
      prefix,
      options.registry,
      options.eventsMaxLen ?? DEFAULTS.eventsMaxLen,
    )
    this.flowSweeper =
      options.flowSweeper === false
        ? undefined
        : new FlowSweeper(this.flows, (err) => this.reportError(err), {
            also: new BatchSweeper(this.batches),
          })
    this.env = {
      queue: this.queue,
      registry: options.registry,
      handlers: options.handlers,
      maxResultBytes: options.maxResultBytes ?? WORKER_DEFAULTS.maxResultBytes,
      parents: (flow) => this.flows.store.parentResults(flow.id, flow.node),
      batch: (batchId) => this.batches.report(batchId),
      progress: (job, value) => this.storeProgress(job, value),
      started: (job, spec, waitMs) => {
        const waited = waitMs + (performance.now() - job.reservedAt)
        this.histograms.recordWait(waited)
        this.history.recordWait(spec.type, waited)
        if (this.listenerCount('active') === 0) return
        this.emit('active', {
          id: job.jobId,
          type: spec.type,
          attempt: job.attempt,
          maxAttempts: spec.maxAttempts,
        })
      },
    }
    if (options.autorun !== false) this.run()
  }

  /** Starts fetching jobs (done by the constructor unless autorun is false). */
  run(): void {
    if (this.state !== 'idle') return
    this.state = 'running'
    this.loopDone = this.fetchLoop()
    this.scheduleHeartbeat(0)
    this.pruner.start()
    this.flowSweeper?.start()
    this.cancels.start()
  }

  /** Date.now() of the last heartbeat that reached Redis (0 before the first): a liveness signal. */
  get lastHeartbeatAt(): number {
    return this.heartbeatAt
  }

  /** Jobs whose handler is running right now. */
  get activeCount(): number {
    return this.running
  }

  private async fetchLoop(): Promise<void> {
    // > 0 after an empty reserve: the next one waits on the wake list first.
    let waitMs = 0
    while (this.state === 'running') {
      const want = this.concurrency + this.prefetch.size - this.busy - this.buffer.length
      if (!this.prefetch.worthReserving(want, this.buffer.length)) {
        await new Promise<void>((resolve) => (this.slotWaiter = resolve))
        waitMs = 0
        continue
      }
      try {
        const options: ReserveOptions = {
          count: want,
          leaseMs: this.leaseMs,
          workerId: this.id,
          promoteLimit: 1000,
          maxBytes: this.maxReserveBytes,
        }
        const reply =
          waitMs > 0
            ? await this.connections.waiting.waitThenReserve(
                { key: this.keys.wake, seconds: waitMs / 1000 },
                options,
              )
            : await this.scripts.reserve(options)
        if (reply.jobs.length > 0) {
          await this.readBigSpecs(reply.jobs)
          for (const raw of reply.jobs) this.accept(raw, reply.now)
          this.dispatch()
          waitMs = 0
          continue
        }
        if (this.state !== 'running') break
        waitMs = reply.wait < 0 ? this.blockMs : Math.min(Math.max(reply.wait, 5), this.blockMs)
      } catch (err) {
        if (this.state !== 'running') break
        this.reportError(err)
        waitMs = 0
        await sleep(500)
      }
    }
  }

  /**
   * Reads the specs the reserve reply left out (too big to pass through Lua), in one
   * HMGET. If that fails those jobs are given back at once (and their leases expire if
   * even that does not reach Redis), the others run: a spec is never taken as missing
   * for a read error.
   */
  private async readBigSpecs(jobs: ReservedRaw[]): Promise<void> {
    const big = jobs.filter((j) => typeof j.spec === 'number')
    if (big.length === 0) return
    try {
      const specs = await this.scripts.readSpecs(big.map((j) => j.id))
      big.forEach((j, i) => (j.spec = specs[i] ?? null))
    } catch (err) {
      this.reportError(err)
      jobs.splice(0, jobs.length, ...jobs.filter((j) => typeof j.spec !== 'number'))
      await this.scripts.release(big).catch(() => undefined)
    }
  }

  private accept(raw: ReservedRaw, now: number): void {
    const job: HeldJob = {
      id: raw.id,
      jobId: toJobId(this.queue, raw.id),
      token: raw.token,
      attempt: raw.attempts,
      rawSpec: typeof raw.spec === 'number' ? null : raw.spec,
      runAt: raw.runAt,
      reservedAtMs: now,
      reservedAt: performance.now(),
      phase: 'buffered',
    }
    // Reserved again while an older attempt is still held here: that attempt's lease
    // was taken over (it expired and was rescued), so stop it.
    const older = this.held.get(job.id)
    if (older) this.loseLeases([older])
    this.held.set(job.id, job)
    this.buffer.push(job)
  }

  /** Slots taken: handlers running, and outcomes on their way to Redis. */
  private get busy(): number {
    return this.running + this.unsettled.size
  }

  private dispatch(): void {
    while (this.busy < this.concurrency && this.buffer.length > 0 && this.state === 'running') {
      const job = this.buffer.shift()
      if (job) void this.execute(job)
    }
  }

  private async execute(job: HeldJob): Promise<void> {
    this.running += 1
    job.phase = 'running'
    const started = performance.now()
    const outcome = await runJob(job, this.env)
    const durationMs = performance.now() - started
    if (outcome.kind !== 'abandoned') {
      this.histograms.recordDuration(durationMs)
      this.prefetch.observe(durationMs)
    }
    this.running -= 1
    this.settle(job, outcome, durationMs)
    this.freed()
    if (this.running === 0) this.idleWaiter?.()
  }

  /** A slot may have come free: start buffered jobs and let the fetch loop look again. */
  private freed(): void {
    this.dispatch()
    this.slotWaiter?.()
    this.slotWaiter = null
  }

  private settle(job: HeldJob, outcome: Outcome, durationMs: number): void {
    if (outcome.kind === 'abandoned' || this.held.get(job.id) !== job) {
      this.forget(job)
      return
    }
    job.phase = 'settling'
    const info = (): JobInfo => ({
      id: job.jobId,
      type: outcome.type,
      attempt: job.attempt,
      maxAttempts: outcome.maxAttempts,
    })
    // The batcher hands these same objects back to sent() and settled().
    // A cancelled run is neither a success nor a failure of the job type: not counted.
    // Run times are kept for the same runs, so their count matches the outcomes'.
    if (outcome.kind !== 'cancelled') {
      this.history.record(
        outcome.type,
        outcome.kind === 'completed'
          ? 'completed'
          : outcome.retryDelay === null
            ? 'failed'
            : 'retried',
      )
      this.history.recordRun(outcome.type, durationMs)
    }
    if (outcome.kind === 'completed') {
      const ack = { id: job.id, token: job.token, result: outcome.result }
      if (job.flow || job.batch) this.note(ack, job, 'completed', outcome.result)
      this.unsettled.add(ack)
      this.batcher.ack(ack)
      if (this.listenerCount('completed') > 0) {
        const result: unknown = outcome.result === '' ? undefined : JSON.parse(outcome.result)
        this.emit('completed', info(), result, durationMs)
      }
    } else if (outcome.kind === 'cancelled') {
      const fail = {
        id: job.id,
        token: job.token,
        error: serializeError(outcome.error, job.attempt),
        retryDelayMs: -2,
      }
      if (job.flow || job.batch) this.note(fail, job, 'cancelled', '')
      this.unsettled.add(fail)
      this.batcher.fail(fail)
      this.emit('cancelled', info())
    } else {
      const fail = {
        id: job.id,
        token: job.token,
        error: serializeError(outcome.error, job.attempt),
        retryDelayMs: outcome.retryDelay ?? -1,
      }
      if ((job.flow || job.batch) && fail.retryDelayMs < 0) this.note(fail, job, 'dead', '')
      this.unsettled.add(fail)
      this.batcher.fail(fail)
      this.emit('failed', info(), outcome.error, { retryDelay: outcome.retryDelay, durationMs })
    }
  }

  /** Outcomes on the wire: a crash can no longer lose them, so their slots take new jobs. */
  private sent(leases: readonly Lease[]): void {
    for (const lease of leases) this.unsettled.delete(lease)
    this.freed()
  }

  /** Outcomes stored (or refused): forget those leases, unless the id was reserved anew since. */
  private settled(leases: readonly Lease[], refused: readonly string[]): void {
    for (const lease of leases) {
      this.unsettled.delete(lease)
      this.forget(lease)
    }
    if (this.flowNotes.size > 0) this.tellFlows(leases, refused)
    if (refused.length > 0) {
      this.emit(
        'lease-lost',
        refused.map((id) => toJobId(this.queue, id)),
      )
    }
    this.freed()
  }

  /**
   * Stored outcomes of flow jobs go on to their flows (flow-driver.ts). Not awaited: a
   * step that fails or is cut short by a crash is done again by a FlowSweeper.
   */
  private tellFlows(leases: readonly Lease[], refused: readonly string[]): void {
    const lost = new Set(refused)
    // One flow-done call per flow for the whole batch: a fan-out's children finish together.
    const byFlow = new Map<string, NodeFinished[]>()
    for (const lease of leases) {
      const note = this.flowNotes.get(lease)
      if (!note) continue
      this.flowNotes.delete(lease)
      if (lost.has(lease.id)) continue
      const { flow, batch, outcome, result } = note
      if (flow) {
        let nodes = byFlow.get(flow.id)
        if (!nodes) byFlow.set(flow.id, (nodes = []))
        nodes.push({ node: flow.node, outcome, result })
      }
      if (batch) {
        this.batches
          .finished(batch, toJobId(this.queue, lease.id), outcome)
          .catch((err: unknown) => this.reportError(err))
      }
    }
    for (const [flowId, nodes] of byFlow) {
      this.flows.finishedMany(flowId, nodes).catch((err: unknown) => this.reportError(err))
    }
  }

  private note(lease: Lease, job: HeldJob, outcome: NodeOutcome, result: string): void {
    this.flowNotes.set(lease, { flow: job.flow, batch: job.batch, outcome, result })
  }

  /**
   * A job asked to stop (lua/cancel.lua): a running one's handler is aborted, and the
   * job stored cancelled; a buffered one is stored cancelled without running.
   */
  private cancelHeld(localId: string): void {
    const job = this.held.get(localId)
    if (!job || job.phase === 'settling') return
    const reason = new ConveyorError('job_cancelled', `job ${job.jobId} was cancelled`)
    if (job.phase === 'running') {
      job.abort?.(reason)
      return
    }
    this.buffer = this.buffer.filter((j) => j !== job)
    this.settle(job, { kind: 'cancelled', error: reason, type: 'unknown', maxAttempts: 1 }, 0)
    this.freed()
  }

  private forget(lease: Lease): HeldJob | undefined {
    const job = this.held.get(lease.id)
    if (job?.token !== lease.token) return undefined
    this.held.delete(lease.id)
    return job
  }

  private async storeProgress(job: HeldJob, value: unknown): Promise<void> {
    const json = JSON.stringify(value ?? null) ?? 'null'
    if (json.length > MAX_PROGRESS_BYTES) {
      throw new ConveyorError(
        'validation_failed',
        `progress is ${json.length} bytes of JSON; at most ${MAX_PROGRESS_BYTES} are stored`,
      )
    }
    const stored = await this.scripts.progress(job, json)
    if (!stored) this.loseLeases([job])
  }

  /**
   * Leases Redis says are no longer ours: abort those handlers. A lease whose outcome is
   * already on its way to Redis, or whose id this worker has reserved anew, is left alone.
   */
  private loseLeases(leases: readonly Lease[]): void {
    const gone: string[] = []
    for (const lease of leases) {
      const job = this.held.get(lease.id)
      if (job?.token !== lease.token || job.phase === 'settling') continue
      this.held.delete(lease.id)
      gone.push(job.jobId)
      if (job.phase === 'buffered') this.buffer = this.buffer.filter((j) => j !== job)
      job.abort?.(new ConveyorError('lease_lost', `the lease on job ${job.jobId} was taken over`))
    }
    if (gone.length > 0) this.emit('lease-lost', gone)
  }

  private scheduleHeartbeat(delayMs: number): void {
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), delayMs)
    this.heartbeatTimer.unref()
  }

  /** Renews this worker's leases, rescues expired ones of other workers, flushes metrics. */
  private async heartbeat(): Promise<void> {
    try {
      const leases = [...this.held.values()].map(({ id, token }) => ({ id, token }))
      // Metrics and the registry entry are best effort: Redis refusing them (out of memory)
      // must not stop the leases' renewal from counting as a heartbeat.
      const sideWrites = this.flushMetrics(true).catch((err: unknown) => {
        if (this.state === 'running') this.reportError(err)
      })
      const [lost, , asked] = await Promise.all([
        leases.length > 0 ? this.scripts.extend(this.leaseMs, leases) : Promise.resolve([]),
        this.rescuer.run(),
        // Cancels published while the listener was away are found here.
        leases.length > 0
          ? this.redis.hmget(this.keys.cancels, ...leases.map((l) => l.id))
          : Promise.resolve([]),
      ])
      await sideWrites
      leases.forEach((l, i) => asked[i] !== null && asked[i] !== undefined && this.cancelHeld(l.id))
      // Judge each lost id by the token it was renewed with, not by what is held now.
      const sent = new Map(leases.map((l) => [l.id, l.token]))
      this.loseLeases(lost.map((id) => ({ id, token: sent.get(id) ?? '' })))
      this.heartbeatAt = Date.now()
    } catch (err) {
      if (this.state === 'running') this.reportError(err)
    }
    if (this.state === 'running' || this.state === 'closing')
      this.scheduleHeartbeat(this.leaseMs / 3)
  }

  /**
   * Adds the metrics recorded since the last call to Redis, with this worker's registry
   * entry when `beating` (else it leaves the registry), in one pipeline; on failure the
   * metrics are kept for the next call.
   */
  private async flushMetrics(beating: boolean): Promise<void> {
    const pipeline = this.redis.pipeline()
    const restores = [
      this.histograms.addTo(pipeline, this.keys.stats),
      this.history.addTo(pipeline, this.keys),
    ]
    if (beating) addBeat(pipeline, this.keys, this.describe())
    else leave(pipeline, this.keys, this.id)
    try {
      await execPipeline(pipeline)
    } catch (err) {
      for (const restore of restores) restore?.()
      throw err
    }
  }

  /** This worker as the registry shows it (worker-registry.ts). */
  private describe(): WorkerInfo {
    const running: string[] = []
    for (const job of this.held.values()) {
      if (job.phase === 'running' && running.length < 50) running.push(job.jobId)
    }
    return {
      id: this.id,
      queue: this.queue,
      ...processInfo(),
      concurrency: this.concurrency,
      busy: this.busy,
      running,
      rssBytes: process.memoryUsage.rss(),
      startedAt: this.startedAt,
      at: Date.now(),
      everyMs: this.leaseMs / 3,
    }
  }

  private reportError(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err)
  }

  /**
   * Graceful shutdown: stop fetching, give back prefetched jobs, let running handlers
   * finish within `timeoutMs`, then abort and give back the rest, store outcomes and
   * close the connections. Safe to call more than once.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutdown(options.timeoutMs ?? 30_000)
    return this.closing
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    const left = () => Math.max(0, deadline - Date.now())
    this.state = 'closing'
    this.slotWaiter?.()
    await this.connections.endWait(left(), this.loopDone)
    await Promise.race([this.loopDone, sleep(left())])
    await bounded(this.releaseJobs(this.buffer.splice(0)), left())
    if (this.running > 0) {
      await Promise.race([
        new Promise<void>((resolve) => (this.idleWaiter = resolve)),
        sleep(left()),
      ])
    }
    const stuck = [...this.held.values()].filter((j) => j.phase === 'running')
    for (const job of stuck)
      job.abort?.(new ConveyorError('shutting_down', 'the worker is shutting down'))
    // Jobs not given back in time are not lost: their leases expire and are rescued.
    await bounded(this.releaseJobs(stuck), Math.max(1_000, left()))
    await this.batcher.drain(Math.max(1_000, left()))
    clearTimeout(this.heartbeatTimer)
    this.cancels.close()
    await bounded(this.pruner.stop(), 1_000)
    if (this.flowSweeper) await bounded(this.flowSweeper.stop(), 1_000)
    this.stopPreloading()
    await bounded(
      this.flushMetrics(false).catch(() => undefined),
      1_000,
    )
    this.state = 'closed'
    if (this.connections.owned) {
      if (this.redis.status === 'ready') await bounded(closeQuietly(this.redis), 1_000)
      this.redis.disconnect()
    }
  }

  private async releaseJobs(jobs: HeldJob[]): Promise<void> {
    if (jobs.length === 0) return
    for (const job of jobs) this.forget(job)
    try {
      await this.scripts.release(jobs)
    } catch (err) {
      // Not given back: their leases expire and recovery returns them to the queue.
      this.reportError(err)
    }
  }
}
