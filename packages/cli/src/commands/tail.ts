import type { QueueEventView } from '@conveyor/client'
import { EXIT } from '../exit-codes.js'
import type { Command } from './context.js'

const MAX_IDS = 5

function line(e: QueueEventView): string {
  const ids = e.ids.slice(0, MAX_IDS).join(' ')
  const more = e.ids.length > MAX_IDS ? ` (+${e.ids.length - MAX_IDS} more)` : ''
  const progress = e.progress === undefined ? '' : ` ${JSON.stringify(e.progress)}`
  return `${e.at}  ${e.queue.padEnd(10)} ${e.event.padEnd(10)} ${ids}${more}${progress}\n`
}

/**
 * `conveyor tail [queue]`: every event as it happens, until Ctrl-C (exit 0) or the
 * server ends the stream (exit 5). --json prints one JSON object a line.
 */
export const tail: Command = async (ctx) => {
  const queue = ctx.rest[0]
  const events = ctx.client.queueEvents({
    ...(queue === undefined ? {} : { queue }),
    signal: ctx.signal,
    ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }),
    onOpen: () => ctx.err(`following ${queue ?? 'every queue'}; Ctrl-C stops\n`),
  })
  for await (const event of events) {
    ctx.out(ctx.json ? `${JSON.stringify(event)}\n` : line(event))
  }
  if (ctx.signal.aborted) return EXIT.ok
  ctx.err('the server ended the stream\n')
  return EXIT.unavailable
}
