import type { FastifyReply } from 'fastify'

/** Often enough that proxies with a 30–60 s idle timeout keep the stream open. */
const HEARTBEAT_MS = 15_000

/** A server-sent events response that Fastify has handed over (hijacked) to the route. */
export interface EventStream {
  /** false once the client left or end() ran: nothing more is written */
  readonly open: boolean
  send(event: string, data: unknown): void
  /** a comment line, which clients ignore: tells them the stream is up */
  comment(text: string): void
  /** runs once when the stream ends, whoever ends it */
  onEnd(cleanup: () => void): void
  end(): void
}

/**
 * Takes the response over from Fastify and opens it as an event stream, with a
 * heartbeat comment so idle streams survive proxies. The stream ends when the client
 * leaves or the route calls end(); cleanups given to onEnd run exactly once either way.
 */
export function openEventStream(reply: FastifyReply): EventStream {
  const raw = reply.raw
  reply.hijack()
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx buffers responses unless told not to, which would hold events back.
    'x-accel-buffering': 'no',
    'x-request-id': reply.request.id,
  })
  let open = true
  const cleanups: (() => void)[] = []
  const heartbeat = setInterval(() => open && raw.write(': keep-alive\n\n'), HEARTBEAT_MS)
  const end = (): void => {
    if (!open) return
    open = false
    clearInterval(heartbeat)
    for (const cleanup of cleanups.splice(0)) cleanup()
    raw.end()
  }
  raw.on('close', end)
  const stream: EventStream = {
    get open() {
      return open
    },
    send(event, data) {
      if (open) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    },
    comment(text) {
      if (open) raw.write(`: ${text}\n\n`)
    },
    onEnd(cleanup) {
      if (open) cleanups.push(cleanup)
      else cleanup()
    },
    end,
  }
  // The client may have gone before the route got here: then no 'close' is coming.
  if (raw.destroyed || !raw.socket || raw.socket.destroyed) end()
  return stream
}
