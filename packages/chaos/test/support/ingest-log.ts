import type { Cluster } from './cluster.js'

export interface PostRecord {
  index: number
  status: number
  id: string | undefined
  sentAt: number
  answeredAt: number
}

/**
 * Posts unique SMS jobs one request at a time from a few parallel clients until
 * stopped, recording every answer with its send and answer times: the raw data the
 * Redis-kill tests judge (which were acknowledged, what the API said while Redis was away).
 */
export class IngestLog {
  readonly records: PostRecord[] = []
  private running = true
  private next = 0
  private readonly done: Promise<void>

  constructor(
    private readonly cluster: Cluster,
    readonly phone: string,
    clients: number,
  ) {
    this.done = Promise.all(Array.from({ length: clients }, () => this.client())).then(
      () => undefined,
    )
  }

  private async client(): Promise<void> {
    while (this.running) {
      const index = this.next
      this.next += 1
      const sentAt = Date.now()
      let status = 0
      let id: string | undefined
      try {
        const answer = await this.cluster.post('/enqueue-sms', {
          phone: this.phone,
          message: `msg-${index}`,
        })
        status = answer.status
        if (status === 202) id = String(answer.json.id)
      } catch {
        status = -1 // no HTTP answer at all
      }
      this.records.push({ index, status, id, sentAt, answeredAt: Date.now() })
      // A refused request is retried by a real client after a pause; so do we.
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  async stop(): Promise<void> {
    this.running = false
    await this.done
  }

  acceptedIds(): string[] {
    return this.records.flatMap((r) => (r.id === undefined ? [] : [r.id]))
  }

  /** Status code → how many answers had it, for the summary line. */
  statuses(records: readonly PostRecord[] = this.records): string {
    const counts = new Map<number, number>()
    for (const r of records) counts.set(r.status, (counts.get(r.status) ?? 0) + 1)
    return [...counts.entries()].map(([s, n]) => `${s}x${n}`).join(',') || 'none'
  }
}
