import type { QueueScripts } from './scripts.js'

/**
 * Returns jobs whose lease expired (their worker died or hung) to their queue, or
 * dead-letters those that stalled too often. Every worker runs one on its heartbeat,
 * so a killed worker's jobs are back within one lease period whoever is left; each
 * call is bounded, and a call that stopped at its bound is followed by another.
 */
export class LeaseRescuer {
  constructor(
    private readonly scripts: QueueScripts,
    private readonly options: { maxStalls: number; batch?: number },
  ) {}

  /** Rescues everything expired now; returns how many jobs went back and how many died. */
  async run(): Promise<{ rescued: number; dead: number }> {
    const total = { rescued: 0, dead: 0 }
    for (;;) {
      const { rescued, dead, more } = await this.scripts.rescue({
        maxStalls: this.options.maxStalls,
        limit: this.options.batch ?? 1000,
      })
      total.rescued += rescued
      total.dead += dead
      if (!more) return total
    }
  }
}
