import type { Cluster, Redis } from 'ioredis'

// Without a nudge the leader still re-reads the due set this often: a nudge lost to a
// reconnect delays a change by this much at worst.
export const REREAD_S = 5
const RETRY_MS = 1_000

export interface NudgeListenerOptions {
  /** opens the dedicated (blocking) connection */
  connect: () => Redis | Cluster
  /** the nudge list's key */
  key: string
  /** called after each nudge, and every REREAD_S seconds without one */
  onNudge: () => void
  onError: (err: unknown) => void
}

/**
 * While this scheduler leads, it waits on the nudge list with BLPOP on a connection of
 * its own: every write to a schedule pushes a marker there (at most one), so a change
 * reaches the leader in a round trip, with no polling. Standbys do not listen; a new
 * leader reads the due set anyway.
 */
export class NudgeListener {
  private client: Redis | Cluster | null = null

  constructor(private readonly options: NudgeListenerOptions) {}

  start(): void {
    if (this.client) return
    const client = this.options.connect()
    client.on('error', () => undefined) // the loop reports failed waits
    this.client = client
    void this.loop(client)
  }

  /** Stops listening: the blocked BLPOP is cut with its connection. */
  stop(): void {
    const client = this.client
    this.client = null
    client?.disconnect()
  }

  private async loop(client: Redis | Cluster): Promise<void> {
    while (this.client === client) {
      try {
        await client.blpop(this.options.key, REREAD_S)
      } catch (err) {
        if (this.client !== client) return
        this.options.onError(err)
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
      }
      if (this.client !== client) return
      this.options.onNudge()
    }
  }
}
