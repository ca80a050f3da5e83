import type { FastifyReply } from 'fastify'
import { openEventStream } from './event-stream.js'
import type { FollowerMessage, QueueFollower } from './queue-follower.js'
import type { QueueEventView } from './schemas/events.js'

function atOf(cursor: string): string {
  const ms = Number(cursor.split('-')[0])
  return new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString()
}

/**
 * Serves the events of some queues as server-sent events (`job`, one per stream entry)
 * until the client goes away or the server closes: what `conveyor tail` shows.
 */
export async function streamQueues(options: {
  reply: FastifyReply
  followers: { queue: string; follower: QueueFollower }[]
}): Promise<void> {
  const { reply } = options
  const inbox: { queue: string; message: FollowerMessage }[] = []
  let wake: (() => void) | null = null
  const unsubscribes: (() => void)[] = []
  try {
    for (const { queue, follower } of options.followers) {
      unsubscribes.push(
        await follower.subscribeAll((message) => {
          inbox.push({ queue, message })
          wake?.()
        }),
      )
    }
  } catch (err) {
    for (const unsubscribe of unsubscribes) unsubscribe()
    throw err
  }

  const stream = openEventStream(reply)
  stream.onEnd(() => {
    for (const unsubscribe of unsubscribes) unsubscribe()
    wake?.()
  })
  // A comment first, so the client knows the stream is open before any job moves.
  stream.comment('following')

  while (stream.open) {
    const next = inbox.shift()
    if (!next) {
      await new Promise<void>((resolve) => (wake = resolve))
      wake = null
      continue
    }
    if (next.message.kind === 'closing') break
    const { cursor, event, ids, progress } = next.message.event
    const view: QueueEventView = { queue: next.queue, event, ids, at: atOf(cursor) }
    if (progress !== undefined) view.progress = progress
    stream.send('job', view)
  }
  stream.end()
}
