import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import { Queue } from '@conveyor/queue-core'
import { createRedisClient, jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import type { Telemetry } from '@conveyor/telemetry'
import type { Cluster, Redis } from 'ioredis'
import { schedulerKeys, type SchedulerKeys } from './keys.js'
import { LeaderLease } from './leader.js'
import type { CatchUp, Schedule } from './schedules.js'
import { SchedulerScripts } from './scripts.js'
import { readSlotRecords, type SlotRecord } from './slot-records.js'

export interface SchedulerOptions {
  redisUrl: string
  /** REDIS_TLS_CA_FILE: the CA to verify a rediss:// server with */
  redisTlsCaFile?: string | undefined
  /** REDIS_CLUSTER: the URL names one node of a Redis Cluster */
  redisCluster?: boolean
  /** QUEUE_PREFIX: the queues' and the scheduler's keys start with it */
  prefix: string
  schedules: readonly Schedule[]
  leaseMs: number
  /** for schedules that do not set their own */
  catchUp: CatchUp
  /** a slot older than this when its turn comes counts as missed; default 1000 ms */
  lateAfterMs?: number
  /** epoch ms; tests may shift or freeze it */
  clock?: () => number
  /** names this instance in the lease; default host:pid:random */
  holder?: string
  /** OpenTelemetry, when configured: each fire a span whose traceparent the job keeps */
  telemetry?: Telemetry | undefined
}

export interface FireEvent {
  schedule: string
  slotMs: number
  jobId: string
  /** false when a job with this id was already there (a recovered claim, say) */
  created: boolean
  /** fired late, for a slot missed while no scheduler was leader */
  catchUp: boolean
  /** re-enqueued for a claim whose enqueue did not finish (a leader died in between) */
  recovered: boolean
}

export interface SchedulerEvents {
  leadership: [{ leader: boolean; token: number; reason?: string }]
  fire: [FireEvent]
  skip: [{ schedule: string; slotMs: number }]
  error: [unknown]
}

// The longest the loop sleeps: it wakes at least this often and recomputes, so a changed
// wall clock (NTP) or a yearly cron past setTimeout's limit cannot strand it.
const MAX_WAIT_MS = 60_000
// After a failed tick (Redis down, say), try again soon rather than at the next slot.
const RETRY_MS = 1_000

/**
 * Fires schedules: enqueues one job per (schedule, slot) while this instance is leader.
 * Each slot is first claimed in Redis, fenced by the leader's token and only if it is
 * later than the schedule's last recorded slot, then enqueued with the job id
 * `sched:<name>:<slot ms>`: two schedulers can never both claim a slot, and a claim
 * whose enqueue did not finish is enqueued again by the next tick with the same id,
 * which queue-core does not enqueue twice. Firing never waits for workers.
 */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  private readonly redis: Redis | Cluster
  private readonly keys: SchedulerKeys
  private readonly scripts: SchedulerScripts
  private readonly leader: LeaderLease
  private readonly schedules: readonly Schedule[]
  private readonly queues = new Map<string, Queue<ConveyorJobTypes>>()
  private readonly catchUp: CatchUp
  private readonly lateAfterMs: number
  private readonly clock: () => number
  private readonly telemetry: Telemetry | undefined
  private timer: NodeJS.Timeout | null = null
  private ticks: Promise<void> = Promise.resolve()
  private stopped = true

  constructor(options: SchedulerOptions) {
    super()
    this.redis = createRedisClient({
      url: options.redisUrl,
      caFile: options.redisTlsCaFile,
      cluster: options.redisCluster,
    })
    this.redis.on('error', (err) => this.emitError(err))
    this.keys = schedulerKeys(options.prefix)
    this.scripts = new SchedulerScripts(this.redis, this.keys)
    this.schedules = options.schedules.filter((s) => s.enabled)
    this.catchUp = options.catchUp
    this.lateAfterMs = options.lateAfterMs ?? 1_000
    this.clock = options.clock ?? Date.now
    this.telemetry = options.telemetry
    for (const s of this.schedules) {
      const name = jobRegistry.queueOf(s.type)
      if (!this.queues.has(name)) {
        const queue = new Queue({
          connection: this.redis,
          registry: jobRegistry,
          name,
          prefix: options.prefix,
        })
        this.queues.set(name, queue)
      }
    }
    this.leader = new LeaderLease({
      scripts: this.scripts,
      holder: options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
      leaseMs: options.leaseMs,
    })
    this.leader.on('error', (err) => this.emitError(err))
    this.leader.on('acquired', (token) => {
      this.emit('leadership', { leader: true, token })
      // Catch up at once: slots missed while no one led, and claims a dead leader left.
      this.requestTick()
    })
    this.leader.on('lost', (token, reason) => {
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

  /** Campaigns for leadership; when it wins, the catch-up tick has run before this resolves. */
  async start(): Promise<void> {
    this.stopped = false
    await this.leader.start()
    await this.ticks
  }

  /**
   * Stops firing and closes the connection. With `releaseLease` (the default) a held
   * lease is given up, so a standby takes over at once; without, it runs out as if this
   * process had died.
   */
  /** Whether the scheduler's Redis connection is up: a liveness signal for health checks. */
  get connected(): boolean {
    return this.redis.status === 'ready'
  }

  async stop(options: { releaseLease?: boolean } = {}): Promise<void> {
    this.stopped = true
    this.clearTimer()
    await this.ticks
    try {
      await this.leader.stop({ release: options.releaseLease ?? true })
    } catch (err) {
      this.emitError(err)
    }
    await Promise.all([...this.queues.values()].map((q) => q.close()))
    try {
      await this.redis.quit()
    } catch {
      this.redis.disconnect()
    }
  }

  /** The schedules this instance fires, with each one's next slot. */
  upcoming(): { name: string; cron: string; timezone: string; nextRun: string | null }[] {
    const now = this.clock()
    return this.schedules.map((s) => {
      const next = s.calendar.nextAfter(now)
      const nextRun = next === null ? null : new Date(next).toISOString()
      return { name: s.name, cron: s.cron, timezone: s.timezone, nextRun }
    })
  }

  private requestTick(): void {
    this.clearTimer()
    this.ticks = this.ticks.then(() => this.tick())
  }

  private async tick(): Promise<void> {
    if (this.stopped || !this.leader.isLeader) return
    const now = this.clock()
    let failed = false
    try {
      const names = this.schedules.map((s) => s.name)
      const records = await readSlotRecords(this.redis, this.keys, names)
      for (const s of this.schedules) {
        try {
          // Fenced: another scheduler leads now; the lease has told the listeners.
          if ((await this.fireDue(s, records.get(s.name) ?? null, now)) === 'fenced') return
        } catch (err) {
          failed = true
          this.emitError(err)
        }
      }
    } catch (err) {
      failed = true
      this.emitError(err)
    }
    this.arm(now, failed)
  }

  /** Fires what is due for one schedule: a leftover claim, then its latest slot. */
  private async fireDue(s: Schedule, last: SlotRecord | null, now: number) {
    if (last?.state === 'claimed') {
      await this.enqueue(s, last.slotMs, { catchUp: false, recovered: true })
    }
    const due = s.calendar.latestAtOrBefore(now)
    if (due === null || (last !== null && due <= last.slotMs)) return 'idle'
    const late = now - due > this.lateAfterMs
    // With no record this schedule never fired: starting up is not a missed slot.
    if (late && last === null) return 'idle'
    if (late && (s.catchUp ?? this.catchUp) === 'skip') {
      const outcome = await this.leader.claim({ schedule: s.name, slotMs: due, state: 'skipped' })
      if (outcome === 'claimed') this.emit('skip', { schedule: s.name, slotMs: due })
      return outcome
    }
    // Only the latest slot is fired, so after an outage a schedule catches up once.
    const outcome = await this.leader.claim({ schedule: s.name, slotMs: due, state: 'claimed' })
    if (outcome === 'claimed') await this.enqueue(s, due, { catchUp: late, recovered: false })
    return outcome
  }

  private async enqueue(
    s: Schedule,
    slotMs: number,
    how: { catchUp: boolean; recovered: boolean },
  ): Promise<void> {
    const jobId = `sched:${s.name}:${slotMs}`
    const queueName = jobRegistry.queueOf(s.type)
    const queue = this.queues.get(queueName)
    if (!queue) throw new Error(`no queue for job type "${s.type}"`)
    const send = (traceparent?: string) =>
      queue.enqueue(s.type, s.payload, {
        ...s.options,
        jobId,
        ...(traceparent ? { traceparent } : {}),
      })
    const info = { schedule: s.name, slotMs, jobId, type: s.type, queue: queueName }
    const { created } = await (this.telemetry ? this.telemetry.traceFire(info, send) : send())
    await this.scripts.confirm(s.name, slotMs)
    this.emit('fire', { schedule: s.name, slotMs, jobId, created, ...how })
  }

  /**
   * Sleeps until the first slot after `tickNow` (the time the tick judged by), sooner
   * after a failure. Counting from the tick's time, not from now, matters: a timer may
   * fire a millisecond early, and the slot it was armed for must not be stepped over
   * while the tick's round trips run past it.
   */
  private arm(tickNow: number, failed: boolean): void {
    if (this.stopped || !this.leader.isLeader) return
    let next = tickNow + MAX_WAIT_MS
    for (const s of this.schedules) next = Math.min(next, s.calendar.nextAfter(tickNow) ?? next)
    let wait = next - this.clock()
    if (failed) wait = Math.min(wait, RETRY_MS)
    this.clearTimer()
    this.timer = setTimeout(() => this.requestTick(), Math.max(0, wait))
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private emitError(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err)
  }
}
