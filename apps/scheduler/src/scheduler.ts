import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import {
  Conveyor,
  ScheduleStore,
  schedulerKeys,
  type CatchUp,
  toJobId,
  type EnqueueResult,
  type JobTypeName,
  type PendingJob,
  type SchedulerKeys,
} from '@conveyor/queue-core'
import { createRedisClient, jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import type { Telemetry } from '@conveyor/telemetry'
import type { Cluster, Redis } from 'ioredis'
import { CalendarCache } from './calendar-cache.js'
import { LeaderLease } from './leader.js'
import { NudgeListener } from './nudge-listener.js'
import {
  settleSchedule,
  type FireEvent,
  type FiringContext,
  type SkipEvent,
} from './schedule-firing.js'
import { SchedulerScripts, type DueEntry } from './scripts.js'

export type { FireEvent, SkipEvent } from './schedule-firing.js'

export interface SchedulerOptions {
  redisUrl: string
  /** REDIS_TLS_CA_FILE: the CA to verify a rediss:// server with */
  redisTlsCaFile?: string | undefined
  /** REDIS_CLUSTER: the URL names one node of a Redis Cluster */
  redisCluster?: boolean
  /** QUEUE_PREFIX: the queues' and the scheduler's keys start with it */
  prefix: string
  leaseMs: number
  /** for schedules that do not set their own */
  catchUp: CatchUp
  /** a slot older than this when its turn comes counts as missed; default 1000 ms */
  lateAfterMs?: number
  /** epoch ms; tests may shift or freeze it. Default: the Redis server's clock */
  clock?: () => number
  /** names this instance in the lease; default host:pid:random */
  holder?: string
  /** OpenTelemetry, when configured: each fire a span whose traceparent the job keeps */
  telemetry?: Telemetry | undefined
}

export interface SchedulerEvents {
  leadership: [{ leader: boolean; token: number; reason?: string }]
  fire: [FireEvent]
  skip: [SkipEvent]
  error: [unknown]
}

// The longest the loop sleeps between two reads of the due set (the nudge listener
// wakes it sooner): a changed wall clock cannot strand it.
const MAX_WAIT_MS = 60_000
// After a failed tick (Redis down, say), try again soon rather than at the next slot.
const RETRY_MS = 1_000
// Due schedules read per script call, and settled at once.
const DUE_BATCH = 200
const SETTLE_CONCURRENCY = 16

/**
 * Fires the stored schedules while this instance is leader. Each tick reads only the
 * schedules that are due (a sorted set by due time), so its Redis work grows with the
 * due schedules, not with all of them. Each slot is claimed in Redis, fenced by the
 * leader's token, checked against the schedule's revision and recorded only if it is
 * later than the schedule's last decided slot, then enqueued with the job id
 * `sched:<name>:<slot ms>`: two schedulers can never both claim a slot, and a claim
 * whose enqueue did not finish is enqueued again, as claimed, by the next tick.
 */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  /** the schedules, for SCHEDULES_FILE at start and for tests */
  readonly store: ScheduleStore
  readonly keys: SchedulerKeys
  private readonly redis: Redis | Cluster
  private readonly scripts: SchedulerScripts
  private readonly leader: LeaderLease
  private readonly nudges: NudgeListener
  private readonly conveyor: Conveyor<ConveyorJobTypes>
  private readonly telemetry: Telemetry | undefined
  private readonly firing: FiringContext
  private readonly clock: (() => number) | undefined
  private timer: NodeJS.Timeout | null = null
  private ticks: Promise<void> = Promise.resolve()
  private stopped = true

  constructor(options: SchedulerOptions) {
    super()
    const target = {
      url: options.redisUrl,
      caFile: options.redisTlsCaFile,
      cluster: options.redisCluster,
    }
    this.redis = createRedisClient(target)
    this.redis.on('error', (err) => this.emitError(err))
    this.keys = schedulerKeys(options.prefix)
    this.scripts = new SchedulerScripts(this.redis, this.keys)
    this.store = new ScheduleStore({
      connection: this.redis,
      registry: jobRegistry,
      prefix: options.prefix,
      clock: options.clock,
    })
    this.clock = options.clock
    this.telemetry = options.telemetry
    this.conveyor = new Conveyor({
      connection: this.redis,
      registry: jobRegistry,
      prefix: options.prefix,
    })
    this.leader = new LeaderLease({
      scripts: this.scripts,
      holder: options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
      leaseMs: options.leaseMs,
    })
    this.nudges = new NudgeListener({
      connect: () => createRedisClient(target),
      key: this.keys.nudge,
      onNudge: () => this.requestTick(),
      onError: (err) => this.emitError(err),
    })
    this.firing = {
      scripts: this.scripts,
      leader: this.leader,
      calendars: new CalendarCache((err) => this.emitError(err)),
      enqueue: (job) => this.enqueue(job),
      lateAfterMs: options.lateAfterMs ?? 1_000,
      catchUp: options.catchUp,
      onFire: (e) => this.emit('fire', e),
      onSkip: (e) => this.emit('skip', e),
      onError: (err) => this.emitError(err),
    }
    this.leader.on('error', (err) => this.emitError(err))
    this.leader.on('acquired', (token) => {
      this.emit('leadership', { leader: true, token })
      this.nudges.start()
      // Catch up at once: slots missed while no one led, and claims a dead leader left.
      this.requestTick()
    })
    this.leader.on('lost', (token, reason) => {
      this.nudges.stop()
      this.clearTimer()
      this.emit('leadership', { leader: false, token, reason })
    })
  }

  get isLeader(): boolean {
    return this.leader.isLeader
  }

  /** Our fencing token while leader, else null. */
  get token(): number | null {
    return this.leader.token
  }

  /** Whether the scheduler's Redis connection is up: a liveness signal for health checks. */
  get connected(): boolean {
    return this.redis.status === 'ready'
  }

  /** Campaigns for leadership; when it wins, the catch-up tick has run before this resolves. */
  async start(): Promise<void> {
    this.stopped = false
    await this.leader.start()
    await this.ticks
  }

  /** Runs a tick now (if leader) and resolves once it has: what a nudge does. */
  poke(): Promise<void> {
    this.requestTick()
    return this.ticks
  }

  /**
   * Stops firing and closes the connections. With `releaseLease` (the default) a held
   * lease is given up, so a standby takes over at once; without, it runs out as if this
   * process had died.
   */
  async stop(options: { releaseLease?: boolean } = {}): Promise<void> {
    this.stopped = true
    this.clearTimer()
    this.nudges.stop()
    await this.ticks
    try {
      await this.leader.stop({ release: options.releaseLease ?? true })
    } catch (err) {
      this.emitError(err)
    }
    await this.conveyor.close()
    try {
      await this.redis.quit()
    } catch {
      this.redis.disconnect()
    }
  }

  private requestTick(): void {
    this.clearTimer()
    this.ticks = this.ticks.then(() => this.tick())
  }

  private async tick(): Promise<void> {
    if (this.stopped || !this.leader.isLeader) return
    const readAt = Date.now()
    let batch
    try {
      batch = await this.scripts.due(this.clock?.(), DUE_BATCH)
    } catch (err) {
      this.emitError(err)
      this.arm(RETRY_MS)
      return
    }
    const { now } = batch
    let wakeAt = batch.nextAt ?? now + MAX_WAIT_MS
    let again = batch.entries.length >= DUE_BATCH
    let failed = false
    let fenced = false
    await inPool(batch.entries, SETTLE_CONCURRENCY, async (entry: DueEntry) => {
      if (fenced) return
      try {
        const result = await settleSchedule(this.firing, entry, now)
        if (result.outcome === 'fenced') fenced = true
        else if (result.outcome === 'done') {
          if (result.nextDue !== null) wakeAt = Math.min(wakeAt, result.nextDue)
        } else again = true
      } catch (err) {
        failed = true
        this.emitError(err)
      }
    })
    // Fenced: another scheduler leads now; the lease has told the listeners.
    if (fenced) return
    // Count from the time the tick judged by, not from now: the slot it armed for must
    // not be stepped over while the tick's round trips ran past it.
    const elapsed = Date.now() - readAt
    let wait = Math.min(wakeAt - now, MAX_WAIT_MS) - elapsed
    if (failed) wait = Math.min(wait, RETRY_MS)
    this.arm(again ? 0 : wait)
  }

  private arm(waitMs: number): void {
    if (this.stopped || !this.leader.isLeader) return
    this.clearTimer()
    this.timer = setTimeout(() => this.requestTick(), Math.max(0, waitMs))
  }

  /**
   * Enqueues on the job type's queue (queue-core's Conveyor routes it; an unknown type
   * throws), inside a span of its own when telemetry is on.
   */
  private async enqueue(job: PendingJob): Promise<EnqueueResult> {
    // The payload was checked against the type's schema when stored; enqueue checks again.
    const type = job.type as JobTypeName<ConveyorJobTypes>
    const send = (traceparent?: string) =>
      this.conveyor.enqueue(type, job.payload as never, {
        ...job.options,
        jobId: job.jobId,
        ...(traceparent ? { traceparent } : {}),
      })
    if (!this.telemetry) return send()
    // A slot's job id ends with its slot (a run-now's with a uuid: now is its time).
    const slotMs = Number(job.jobId.split(':').at(-1))
    const queue = jobRegistry.queueOf(type)
    const info = {
      schedule: job.name,
      slotMs: Number.isFinite(slotMs) ? slotMs : Date.now(),
      jobId: toJobId(queue, job.jobId),
      type: job.type,
      queue,
    }
    return this.telemetry.traceFire(info, send)
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private emitError(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err)
  }
}

/** Runs `fn` over `items`, at most `concurrency` at a time. */
async function inPool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T
      next += 1
      await fn(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
