import type { Retention } from './defaults.js'
import type { QueueScripts } from './scripts.js'

/** How often a worker applies retention, and the most jobs one call deletes. */
const EVERY_MS = 1_000
const BATCH = 1_000

/**
 * Deletes completed and cancelled jobs past the retention (their age, and their count
 * beyond the cap) on a timer of its own, in bounded calls, looping while a call stops at
 * its bound: acks only move a job to `completed`, and this keeps the set at its bound
 * under any load, an idle queue included.
 */
export class RetentionPruner {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly scripts: QueueScripts,
    private readonly retention: Retention,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Deletes everything past the retention now; returns how many jobs went. */
  async run(): Promise<number> {
    let total = 0
    for (;;) {
      const { trimmed, more } = await this.scripts.trim(this.retention, BATCH)
      total += trimmed
      if (!more || this.stopped) return total
    }
  }

  start(): void {
    // Nothing is ever kept with neither an age nor a count to trim by.
    if (this.retention.completedMs <= 0 && this.retention.completedCount <= 0) return
    this.schedule(0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.running = this.run().then(
        () => undefined,
        (err: unknown) => this.onError(err),
      )
      void this.running.then(() => this.schedule(EVERY_MS))
    }, delayMs)
    this.timer.unref()
  }
}
