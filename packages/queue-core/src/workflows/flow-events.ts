import { closeQuietly, duplicate, type RedisClient, type RedisConnection } from '../connection.js'
import { DEFAULTS } from '../defaults.js'
import { flowKeys } from '../keys.js'
import { redisCall } from '../redis-errors.js'

/** One entry of a flow's progress stream. */
export interface FlowEvent {
  /** the stream entry id, to resume reading after it */
  cursor: string
  /** `job`: a job of the flow finished (or was retried); `flow`: the flow's state changed */
  event: 'job' | 'flow'
  /** completed, dead, cancelled, retried (job); running, completed, failed, cancelled (flow) */
  state: string
  node?: string
  /** the job's id, `<queue>:<local id>` */
  job?: string
}

/** The longest a read blocks, unless the caller says otherwise. */
const MAX_BLOCK_MS = 5_000
/** How long past a read's block its connection waits for the answer before giving up. */
const ANSWER_GRACE_MS = 2_000

/** A flow's progress, read from its stream, on a connection of its own (reads block). */
export class FlowEvents {
  private readonly redis: RedisClient
  private readonly key: string
  private readonly maxBlockMs: number

  constructor(o: {
    connection: RedisConnection
    flowId: string
    prefix?: string
    /** the longest one read() may block; default 5 s */
    maxBlockMs?: number
  }) {
    this.key = flowKeys(o.prefix ?? DEFAULTS.prefix, o.flowId).events
    this.maxBlockMs = o.maxBlockMs ?? MAX_BLOCK_MS
    this.redis = duplicate(o.connection, {
      // Its first read may come before it connects: queued, not refused.
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      // Not the source connection's timeout (an API's is shorter than a block): a quiet
      // stream is not a dead connection, but a read with no answer long after its block is.
      commandTimeout: this.maxBlockMs + ANSWER_GRACE_MS,
    })
    this.redis.on('error', () => undefined)
  }

  /** Entries after `cursor` ('0-0': from the start); waits up to blockMs (capped) for one. */
  async read(cursor: string, blockMs: number): Promise<FlowEvent[]> {
    const block = Math.max(0, Math.min(blockMs, this.maxBlockMs))
    const reply = await redisCall(
      this.redis.xread('COUNT', 100, 'BLOCK', block, 'STREAMS', this.key, cursor),
    )
    const entries = reply?.[0]?.[1] ?? []
    return entries.map(([id, fields]) => {
      const f: Record<string, string> = {}
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] ?? ''] = fields[i + 1] ?? ''
      const out: FlowEvent = {
        cursor: id,
        event: f.event === 'flow' ? 'flow' : 'job',
        state: f.state ?? '',
      }
      if (f.node !== undefined) out.node = f.node
      if (f.job !== undefined && f.job !== '') out.job = f.job
      return out
    })
  }

  async close(): Promise<void> {
    await closeQuietly(this.redis)
  }
}
