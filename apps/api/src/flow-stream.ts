import { FlowEvents, type RedisConnection } from '@conveyor/queue-core'
import type { FastifyReply } from 'fastify'

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
  const raw = o.reply.raw
  o.reply.hijack()
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': o.reply.request.id,
  })
  raw.write(': following\n\n')
  const events = new FlowEvents({ connection: o.redis, prefix: o.prefix, flowId: o.flowId })
  let open = true
  raw.on('close', () => (open = false))
  let cursor = '0-0'
  try {
    while (open) {
      const batch = await events.read(cursor, BLOCK_MS)
      if (batch.length === 0) raw.write(': keep-alive\n\n')
      for (const e of batch) {
        cursor = e.cursor
        const at = new Date(Number(e.cursor.split('-')[0])).toISOString()
        const data = { state: e.state, node: e.node, job: e.job, at }
        raw.write(`event: ${e.event}\ndata: ${JSON.stringify(data)}\n\n`)
        if (e.event === 'flow' && FINAL.has(e.state)) open = false
      }
    }
  } catch {
    // Redis went away mid-stream: end it; the client may follow again.
  } finally {
    await events.close()
    raw.end()
  }
}
