import type { Retention } from './defaults.js'
import type { AckArg, FailArg, Lease, QueueScripts } from './scripts.js'

export interface BatcherHooks {
  /**
   * the outcomes were handed to the operating system's socket: a crash of this process
   * from now on no longer loses them (see ScriptRunner.onWire); leave it out to hear
   * of outcomes only once stored
   */
  sent?(leases: readonly Lease[]): void
  /** the jobs' outcome was stored (refused: their lease had been taken over) */
  settled(leases: readonly Lease[], refused: readonly string[]): void
  error(err: unknown): void
}

/**
 * Calls on the wire at once. More than one keeps a worker at low concurrency from
 * waiting a round trip per job; a bound keeps what a network fault can strand small.
 */
const MAX_IN_FLIGHT = 8

/**
 * Coalesces acks and fails. Outcomes produced in the same turn of the event loop go to
 * Redis together in one call per script, without waiting for earlier calls' replies (up
 * to MAX_IN_FLIGHT calls); past that bound outcomes gather until a reply frees a place:
 * at low load a job is acked at once, at high load hundreds share one round trip.
 * A batch that fails to reach Redis is kept and sent again; the leases stay held
 * (and renewed) until then, so a completed job is not run twice by a Redis blip.
 */
export class CompletionBatcher {
  private acks: AckArg[] = []
  private fails: FailArg[] = []
  private scheduled = false
  private backingOff = false
  private readonly inFlight = new Set<Promise<void>>()
  private retryMs = 100

  constructor(
    private readonly scripts: QueueScripts,
    private readonly retention: Retention,
    private readonly hooks: BatcherHooks,
  ) {}

  get pending(): number {
    return this.acks.length + this.fails.length
  }

  ack(item: AckArg): void {
    this.acks.push(item)
    this.schedule()
  }

  fail(item: FailArg): void {
    this.fails.push(item)
    this.schedule()
  }

  /** Resolves when everything handed in so far is stored, or `timeoutMs` has passed. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while ((this.pending > 0 || this.inFlight.size > 0) && Date.now() < deadline) {
      if (this.inFlight.size > 0) await Promise.race(this.inFlight)
      else if (!this.scheduled) this.schedule()
      else await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  private schedule(): void {
    if (this.scheduled || this.backingOff || this.inFlight.size >= MAX_IN_FLIGHT) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (this.pending === 0 || this.backingOff) return
      const call: Promise<void> = this.flush().finally(() => {
        this.inFlight.delete(call)
        if (this.pending > 0) this.schedule()
      })
      this.inFlight.add(call)
    })
  }

  private async flush(): Promise<void> {
    const acks = this.acks
    const fails = this.fails
    this.acks = []
    this.fails = []
    const calls: Promise<unknown>[] = []
    if (acks.length > 0) {
      calls.push(
        this.scripts.ack(acks, this.retention).then(
          (refused) => this.stored(acks, refused),
          (err: unknown) => this.putBack(err, acks, this.acks),
        ),
      )
    }
    if (fails.length > 0) {
      calls.push(
        this.scripts.fail(fails).then(
          (refused) => this.stored(fails, refused),
          (err: unknown) => this.putBack(err, fails, this.fails),
        ),
      )
    }
    if (this.hooks.sent && this.scripts.runner.onWire()) this.hooks.sent([...acks, ...fails])
    await Promise.all(calls)
  }

  private stored(items: readonly Lease[], refused: string[]): void {
    this.retryMs = 100
    this.hooks.settled(items, refused)
  }

  private putBack<T>(err: unknown, items: T[], into: T[]): void {
    into.unshift(...items)
    this.hooks.error(err)
    // Back off while Redis is away, so a dead server is not hammered.
    if (this.backingOff) return
    const wait = this.retryMs
    this.retryMs = Math.min(this.retryMs * 2, 5_000)
    this.backingOff = true
    setTimeout(() => {
      this.backingOff = false
      this.schedule()
    }, wait)
  }
}
