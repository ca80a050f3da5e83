import { closeQuietly, duplicate, type RedisClient, type RedisConnection } from './connection.js'
import { DEFAULTS } from './defaults.js'
import { toJobId } from './job-id.js'
import { queueKeys, type QueueKeys } from './keys.js'
import { redisCall } from './redis-errors.js'

/** One entry of a queue's events stream: what happened to which jobs. */
export interface QueueEvent {
  /** the stream entry id, to resume reading after it */
  cursor: string
  event: string
  /** job ids (`<queue>:<local id>`) */
  ids: string[]
  /** set on `progress` events */
  progress?: unknown
}

export interface QueueEventsOptions {
  connection: RedisConnection
  /** the queue to follow; default "default" */
  queue?: string
  prefix?: string
}

/**
 * Follows a queue's events stream (for an API's server-sent events or a dashboard).
 * It holds its own connection, because a blocking read ties a connection up.
 */
export class QueueEvents {
  readonly queue: string
  readonly keys: QueueKeys
  private readonly redis: RedisClient

  constructor(options: QueueEventsOptions) {
    this.queue = options.queue ?? DEFAULTS.queue
    this.keys = queueKeys(options.prefix ?? DEFAULTS.prefix, this.queue)
    // Always a connection of its own, even when given a client: a blocking read ties
    // it up, and close() must not close the caller's client.
    this.redis = duplicate(options.connection, { maxRetriesPerRequest: null })
    // Connection errors reach callers as rejected reads; ioredis reconnects by itself.
    this.redis.on('error', () => undefined)
  }

  /** The cursor of the newest entry, to follow only what happens from now on. */
  async latest(): Promise<string> {
    const [entry] = (await redisCall(
      this.redis.xrevrange(this.keys.events, '+', '-', 'COUNT', 1),
    )) as [string, string[]][]
    return entry?.[0] ?? '0-0'
  }

  /** Entries after `cursor`; waits up to blockMs for one when there are none yet. */
  async read(
    cursor: string,
    options: { blockMs?: number; count?: number } = {},
  ): Promise<QueueEvent[]> {
    const count = options.count ?? 100
    const reply = await redisCall(
      options.blockMs === undefined
        ? this.redis.xread('COUNT', count, 'STREAMS', this.keys.events, cursor)
        : this.redis.xread(
            'COUNT',
            count,
            'BLOCK',
            options.blockMs,
            'STREAMS',
            this.keys.events,
            cursor,
          ),
    )
    const entries = reply?.[0]?.[1] ?? []
    return entries.map(([id, fields]) => parseEntry(this.queue, id, fields))
  }

  async close(): Promise<void> {
    await closeQuietly(this.redis)
  }
}

function parseEntry(queue: string, cursor: string, fields: string[]): QueueEvent {
  const out: QueueEvent = { cursor, event: '', ids: [] }
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]
    const value = fields[i + 1] ?? ''
    if (name === 'event') out.event = value
    else if (name === 'ids')
      out.ids = value === '' ? [] : value.split(',').map((id) => toJobId(queue, id))
    else if (name === 'progress') {
      try {
        out.progress = JSON.parse(value)
      } catch {
        out.progress = value
      }
    }
  }
  return out
}
