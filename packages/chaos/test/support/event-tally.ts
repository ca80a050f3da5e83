import { QueueEvents, type RedisConnection } from '@conveyor/queue-core'

/**
 * Reads a queue's events stream from its start while a test runs and counts, per event
 * name, how often each job id appeared: `queued` is written by the script that creates
 * a job (never by a rescue, which writes `stalled`), `completed` by the ack that stored
 * its outcome. An entry trimmed before it was read would be missing from the counts,
 * never counted twice.
 */
export class EventTally {
  private readonly counts = new Map<string, Map<string, number>>()
  private readonly events: QueueEvents
  private cursor = '0-0'
  private running = true
  private readonly loop: Promise<void>

  constructor(options: { connection: RedisConnection; prefix: string; queue: string }) {
    this.events = new QueueEvents(options)
    this.loop = this.follow()
  }

  /** How many times `id` appeared in `event` entries. */
  count(event: string, id: string): number {
    return this.counts.get(event)?.get(id) ?? 0
  }

  private async follow(): Promise<void> {
    while (this.running) await this.readMore(200)
  }

  private async readMore(blockMs?: number): Promise<number> {
    const entries = await this.events.read(this.cursor, {
      count: 1_000,
      ...(blockMs === undefined ? {} : { blockMs }),
    })
    for (const entry of entries) {
      this.cursor = entry.cursor
      let byId = this.counts.get(entry.event)
      if (!byId) this.counts.set(entry.event, (byId = new Map<string, number>()))
      for (const id of entry.ids) byId.set(id, (byId.get(id) ?? 0) + 1)
    }
    return entries.length
  }

  /** Reads what is left in the stream, then stops following. */
  async stop(): Promise<void> {
    this.running = false
    await this.loop
    while ((await this.readMore()) > 0);
    await this.events.close()
  }
}
