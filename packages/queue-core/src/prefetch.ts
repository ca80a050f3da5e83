/**
 * How many jobs a worker reserves ahead of its free slots. Reserving ahead hides the
 * round trip to Redis (a slot never waits for the next job), but every job held here
 * is one another worker cannot take. So the window is sized by time, not count: enough
 * jobs for about `budgetMs` of work at the handlers' observed speed. Quick jobs get a
 * deep window (one reserve call serves hundreds); slow jobs get one job ahead.
 * BUDGET_MS below is that time.
 */
const BUDGET_MS = 20
// One reserve call stays short for Redis even at the deepest window.
const MAX_PREFETCH = 500

export class PrefetchWindow {
  private averageMs: number | undefined
  private readonly fixed: number | undefined

  constructor(
    private readonly concurrency: number,
    setting: number | 'auto',
  ) {
    this.fixed = setting === 'auto' ? undefined : Math.max(0, Math.floor(setting))
  }

  /** Feeds one handler's duration into the moving average. */
  observe(durationMs: number): void {
    if (this.fixed !== undefined) return
    this.averageMs =
      this.averageMs === undefined ? durationMs : this.averageMs * 0.9 + durationMs * 0.1
  }

  /** Jobs to hold beyond the running ones; before any observation, one per slot. */
  get size(): number {
    if (this.fixed !== undefined) return this.fixed
    if (this.averageMs === undefined) return this.concurrency
    const perSlot = BUDGET_MS / Math.max(this.averageMs, 0.001)
    return Math.min(MAX_PREFETCH, Math.max(1, Math.floor(this.concurrency * perSlot)))
  }

  /**
   * Whether to call reserve for `want` more jobs while `buffered` wait: at once when the
   * buffer is empty, else only for a worthwhile batch (a quarter of the window).
   */
  worthReserving(want: number, buffered: number): boolean {
    if (want <= 0) return false
    return buffered === 0 || want >= Math.max(1, Math.floor(this.size / 4))
  }
}
