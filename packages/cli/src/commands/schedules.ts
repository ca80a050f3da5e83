import { isConveyorApiError } from '@conveyor/client'
import { EXIT } from '../exit-codes.js'
import { table } from '../table.js'
import { printJson, type Command } from './context.js'

// The columns shown when a schedule has them; --json shows everything.
const COLUMNS = ['name', 'cron', 'timezone', 'type', 'queue', 'enabled', 'nextRun', 'lastRun']

const text = (value: unknown) =>
  value === undefined || value === null
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value)

/** `conveyor schedules`: the scheduler's schedules, if this API serves them. */
export const schedules: Command = async (ctx) => {
  let list: Record<string, unknown>[]
  try {
    list = await ctx.client.schedules({ timeoutMs: ctx.timeoutMs, signal: ctx.signal })
  } catch (err) {
    if (isConveyorApiError(err) && err.status === 404 && err.code === 'not_found') {
      ctx.err(`schedules are not supported by this server (404: it has no GET /schedules)\n`)
      return EXIT.notFound
    }
    throw err
  }
  if (ctx.json) {
    printJson(ctx, list)
    return EXIT.ok
  }
  if (list.length === 0) {
    ctx.out('no schedules\n')
    return EXIT.ok
  }
  const columns = COLUMNS.filter((c) => list.some((s) => s[c] !== undefined))
  ctx.out(
    table(
      columns.map((c) => c.toUpperCase()),
      list.map((s) => columns.map((c) => text(s[c]))),
    ),
  )
  return EXIT.ok
}
