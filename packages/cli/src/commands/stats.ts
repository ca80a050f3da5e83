import { EXIT } from '../exit-codes.js'
import { table } from '../table.js'
import { printJson, type Command } from './context.js'

const STATES = [
  'queued',
  'scheduled',
  'active',
  'retrying',
  'completed',
  'dead',
  'cancelled',
] as const

/** `conveyor stats`: a table of every queue's counts. */
export const stats: Command = async (ctx) => {
  const queues = await ctx.client.stats({ timeoutMs: ctx.timeoutMs, signal: ctx.signal })
  if (ctx.json) {
    printJson(ctx, queues)
    return EXIT.ok
  }
  const header = ['QUEUE', ...STATES.map((s) => s.toUpperCase()), 'PAUSED']
  const rows = queues.map((q) => [
    q.name,
    ...STATES.map((s) => String(q[s])),
    q.paused ? 'yes' : 'no',
  ])
  ctx.out(table(header, rows))
  return EXIT.ok
}
