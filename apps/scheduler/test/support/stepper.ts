import { Queue, type ScheduleFileEntry } from '@conveyor/queue-core'
import { jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import type { Scheduler } from '../../src/scheduler.js'
import type { World } from './harness.js'

/**
 * A leader driven by a clock the test sets: `at(ms)` moves the leader's clock and runs
 * a tick, `write(ms, fn)` makes a change as the API would at that time (the store's
 * clock). Real Redis, real scripts; only time is the test's.
 */
export class Stepper {
  now: number
  readonly scheduler: Scheduler
  private readonly queue: Queue<ConveyorJobTypes>

  constructor(
    private readonly world: World,
    start: number,
    options: { catchUp?: 'once' | 'skip' | 'all'; leaseMs?: number } = {},
  ) {
    this.now = start
    world.storeNow = start
    this.scheduler = world.scheduler({
      leaseMs: options.leaseMs ?? 10_000,
      catchUp: options.catchUp ?? 'all',
      clock: () => this.now,
      // Ticks happen when the test says: every decision is judged at the test's time.
      lateAfterMs: 1_000,
    })
    this.queue = new Queue({
      connection: world.redis(),
      registry: jobRegistry,
      prefix: world.prefix,
    })
  }

  async start(): Promise<void> {
    await this.scheduler.start()
  }

  /** Moves the leader's clock to `ms` and lets it decide what is due. */
  async at(ms: number): Promise<void> {
    this.now = ms
    await this.scheduler.poke()
  }

  /** Runs `change` with the store's clock at `ms` (the time the change is written). */
  async write<T>(ms: number, change: () => Promise<T>): Promise<T> {
    this.world.storeNow = ms
    return change()
  }

  async put(ms: number, entry: ScheduleFileEntry): Promise<string> {
    return this.write(ms, () => this.world.put(entry))
  }

  /** The message of each fired job, by job id. */
  async messages(): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for (const f of this.world.fires) {
      const job = await this.queue.getJob(f.jobId)
      out[f.jobId] = String((job?.payload as { message?: unknown } | undefined)?.message)
    }
    return out
  }
}
