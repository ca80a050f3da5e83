import { EventEmitter } from 'node:events'
import type { Fence, SchedulerScripts } from './scripts.js'

export interface LeaderLeaseOptions {
  scripts: SchedulerScripts
  /** unique per scheduler instance; it names the holder in the lease */
  holder: string
  leaseMs: number
}

export interface LeaderLeaseEvents {
  acquired: [token: number]
  lost: [token: number, reason: string]
  error: [unknown]
}

/**
 * Leader election over one Redis key: the leader holds `lease` with a TTL and renews it
 * every lease/3; a standby retries when the holder's lease is due to expire, so it takes
 * over within one lease of the leader's death. Each acquisition takes a new fencing
 * token from a counter and every claim carries it, so a leader that was deposed without
 * noticing (paused, partitioned) has its late writes refused.
 */
export class LeaderLease extends EventEmitter<LeaderLeaseEvents> {
  private readonly scripts: SchedulerScripts
  private readonly holder: string
  private readonly leaseMs: number
  private current: { token: number; value: string; validUntil: number } | null = null
  private timer: NodeJS.Timeout | null = null
  private inFlight: Promise<void> | null = null
  private stopped = true

  constructor(options: LeaderLeaseOptions) {
    super()
    if (options.holder.includes('|')) throw new TypeError('holder id must not contain "|"')
    this.scripts = options.scripts
    this.holder = options.holder
    this.leaseMs = options.leaseMs
  }

  /** Whether we hold the lease, as far as we know: every claim is checked in Redis anyway. */
  get isLeader(): boolean {
    return this.current !== null
  }

  /** Our fencing token while leader, else null. */
  get token(): number | null {
    return this.current?.token ?? null
  }

  /** Tries once to acquire (awaited), then keeps renewing or retrying in the background. */
  async start(): Promise<void> {
    this.stopped = false
    await this.step()
  }

  /**
   * Stops renewing. With `release`, gives the lease up if it is still ours so a standby
   * takes over at once; without, the lease simply runs out, as if this process had died.
   */
  async stop(options: { release: boolean }): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.inFlight
    const held = this.current
    this.current = null
    if (options.release && held) await this.scripts.release(held.value)
  }

  /**
   * Runs a call fenced by our lease value and token (a claim, a reschedule); its
   * 'fenced' outcome means a newer leader holds the lease, and we lead no more.
   */
  async fenced<T extends string>(call: (fence: Fence) => Promise<T>): Promise<T | 'fenced'> {
    const held = this.current
    if (!held) return 'fenced'
    const outcome = await call({ leaseValue: held.value, token: held.token })
    if (outcome === 'fenced') this.lose('refused: a newer leader holds the lease')
    return outcome
  }

  private step(): Promise<void> {
    const run = (this.current ? this.renew() : this.acquire()).catch((err: unknown) => {
      // Redis unreachable: keep trying. We stay leader only until our lease would have
      // run out, since no renewal can have reached Redis meanwhile.
      if (this.current && Date.now() >= this.current.validUntil) this.lose('lease expired')
      if (this.listenerCount('error') > 0) this.emit('error', err)
      return this.leaseMs / 3
    })
    this.inFlight = run.then((waitMs) => {
      this.inFlight = null
      if (this.stopped) return
      this.timer = setTimeout(() => void this.step(), waitMs)
    })
    return this.inFlight
  }

  /** Returns how long to wait before the next step. */
  private async acquire(): Promise<number> {
    const startedAt = Date.now()
    const { token, ttlMs } = await this.scripts.acquire(this.holder, this.leaseMs)
    if (token > 0) {
      // Kept even when stop() came meanwhile, so that stop() can release it.
      this.current = {
        token,
        value: `${this.holder}|${token}`,
        validUntil: startedAt + this.leaseMs,
      }
      if (!this.stopped) this.emit('acquired', token)
      return this.leaseMs / 3
    }
    // Wake when the holder's lease would run out: a dead leader is replaced within one lease.
    return ttlMs > 0 ? Math.min(ttlMs + 5, this.leaseMs / 3) : this.leaseMs / 3
  }

  private async renew(): Promise<number> {
    const held = this.current
    if (!held) return 0
    const startedAt = Date.now()
    if (await this.scripts.renew(held.value, this.leaseMs)) {
      if (this.current === held) held.validUntil = startedAt + this.leaseMs
      return this.leaseMs / 3
    }
    this.lose('lease taken over or expired')
    return 0
  }

  private lose(reason: string): void {
    const held = this.current
    if (!held) return
    this.current = null
    this.emit('lost', held.token, reason)
  }
}
