import { setTimeout as sleep } from 'node:timers/promises'
import type { QueueEvent, QueueEvents } from '@conveyor/queue-core'
import type { FastifyBaseLogger } from 'fastify'

/** What a subscriber hears: an event that names its job, or that the follower stops. */
export type FollowerMessage = { kind: 'event'; event: QueueEvent } | { kind: 'closing' }
export type FollowerListener = (message: FollowerMessage) => void

const BLOCK_MS = 1000
const RETRY_MS = 1000

/**
 * Follows one queue's events stream for every subscriber of the process: one blocking
 * read in a loop, fanned out in memory by job id. It reads only while someone listens,
 * so an API nobody watches holds no blocked connection.
 */
export class QueueFollower {
  private readonly subscribers = new Map<string, Set<FollowerListener>>()
  /** listeners to every event of the queue (GET /events) */
  private readonly everything = new Set<FollowerListener>()
  private started: Promise<void> | null = null
  private stopped = false

  constructor(
    private readonly events: QueueEvents,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * Calls `listener` with every event naming `jobId` from now on. Resolves once the
   * follower knows where "now" is, so a snapshot read after it misses nothing.
   */
  async subscribe(jobId: string, listener: FollowerListener): Promise<() => void> {
    let set = this.subscribers.get(jobId)
    if (!set) this.subscribers.set(jobId, (set = new Set()))
    set.add(listener)
    const unsubscribe = () => {
      set.delete(listener)
      if (set.size === 0 && this.subscribers.get(jobId) === set) this.subscribers.delete(jobId)
    }
    try {
      await this.start()
    } catch (err) {
      unsubscribe()
      throw err
    }
    return unsubscribe
  }

  /** Calls `listener` with every event of the queue from now on. */
  async subscribeAll(listener: FollowerListener): Promise<() => void> {
    this.everything.add(listener)
    const unsubscribe = () => void this.everything.delete(listener)
    try {
      await this.start()
    } catch (err) {
      unsubscribe()
      throw err
    }
    return unsubscribe
  }

  get subscriberCount(): number {
    let n = this.everything.size
    for (const set of this.subscribers.values()) n += set.size
    return n
  }

  private start(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the events follower is closed'))
    if (this.started) return this.started
    const started = this.events.latest().then((cursor) => {
      void this.loop(cursor)
    })
    // A failed start is forgotten, so that the next subscriber tries again.
    started.catch(() => {
      if (this.started === started) this.started = null
    })
    this.started = started
    return started
  }

  private async loop(from: string): Promise<void> {
    let cursor = from
    for (;;) {
      // Checked and cleared in one synchronous step: a subscriber arriving later
      // starts a new loop instead of joining one that is about to end.
      if (this.stopped || (this.subscribers.size === 0 && this.everything.size === 0)) {
        this.started = null
        return
      }
      let entries: QueueEvent[]
      try {
        entries = await this.events.read(cursor, { blockMs: BLOCK_MS })
      } catch (err) {
        if (this.stopped) continue
        this.log.warn({ err }, 'reading queue events failed; retrying')
        await sleep(RETRY_MS)
        continue
      }
      for (const event of entries) {
        cursor = event.cursor
        for (const id of event.ids) this.deliver(id, { kind: 'event', event })
        this.deliverToAll({ kind: 'event', event })
      }
    }
  }

  private deliver(jobId: string, message: FollowerMessage): void {
    const set = this.subscribers.get(jobId)
    if (!set) return
    for (const listener of [...set]) {
      try {
        listener(message)
      } catch (err) {
        this.log.error({ err, jobId }, 'an events subscriber threw')
      }
    }
  }

  private deliverToAll(message: FollowerMessage): void {
    for (const listener of [...this.everything]) {
      try {
        listener(message)
      } catch (err) {
        this.log.error({ err }, 'an events subscriber threw')
      }
    }
  }

  /** Tells every subscriber to finish, then stops reading and closes the connection. */
  async close(): Promise<void> {
    this.stopped = true
    this.deliverToAll({ kind: 'closing' })
    this.everything.clear()
    for (const jobId of [...this.subscribers.keys()]) this.deliver(jobId, { kind: 'closing' })
    this.subscribers.clear()
    await this.events.close()
  }
}
