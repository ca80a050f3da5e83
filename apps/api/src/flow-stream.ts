import { FlowEvents, type RedisConnection } from '@conveyor/queue-core'
import type { FastifyReply } from 'fastify'
import { openEventStream } from './event-stream.js'

const FINAL = new Set(['completed', 'failed', 'cancelled'])
const BLOCK_MS = 5_000

/**
 * Serves a flow's progress as server-sent events from its start: `job` events
 * `{ node, job, state, at }` as its jobs finish, `flow` events `{ state, at }`; the stream
 * ends once the flow is completed, failed or cancelled (or the client leaves). One
 * blocking connection per client, for as long as it follows.
 */
export async function streamFlow(o: {
  reply: FastifyReply
  redis: RedisConnection
  prefix: string
  flowId: string
}): Promise<void> {
  const stream = openEventStream(o.reply)
  stream.comment('following')
  const events = new FlowEvents({ connection: o.redis, prefix: o.prefix, flowId: o.flowId })
  let cursor = '0-0'
  try {
    while (stream.open) {
      const batch = await events.read(cursor, BLOCK_MS)
      for (const e of batch) {
        cursor = e.cursor
        const at = new Date(Number(e.cursor.split('-')[0])).toISOString()
        stream.send(e.event, { state: e.state, node: e.node, job: e.job, at })
        if (e.event === 'flow' && FINAL.has(e.state)) stream.end()
      }
    }
  } catch {
    // Redis went away mid-stream: end it; the client may follow again.
  } finally {
    await events.close()
    stream.end()
  }
}
