import type { GroupSummary } from '@conveyor/client'
import { intFlag, positional } from '../args.js'
import { EXIT, UsageError } from '../exit-codes.js'
import { table } from '../table.js'
import { printJson, type Command } from './context.js'

/** `value` as one shell word, quoted only when it must be. */
const shellWord = (value: string) =>
  /^[\w.:@%+=,/-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`

/**
 * `conveyor groups <queue> [--limit N] [--cursor C] [--all]`: the groups with queued or
 * running jobs, by name, one page (or, with --all, every page).
 */
export const groups: Command = async (ctx) => {
  const queue = positional(ctx.rest, 0, 'queue')
  const limit = intFlag(ctx.flags, 'limit', { min: 1, max: 1000 }) ?? 100
  const call = { timeoutMs: ctx.timeoutMs, signal: ctx.signal, limit }
  let shown: GroupSummary[]
  let cursor: string | null = null
  if (ctx.flags.all) {
    if (ctx.flags.cursor !== undefined)
      throw new UsageError('--all reads from the start: drop --cursor')
    shown = []
    for await (const group of ctx.client.limits.allGroups(queue, call)) shown.push(group)
  } else {
    const page = await ctx.client.limits.groups(queue, { ...call, cursor: ctx.flags.cursor })
    shown = page.groups
    cursor = page.cursor
  }
  if (ctx.json) {
    printJson(ctx, { queue, groups: shown, cursor })
    return EXIT.ok
  }
  if (shown.length === 0) ctx.out(`no groups with queued or running jobs in ${queue}\n`)
  else
    ctx.out(
      table(
        ['GROUP', 'QUEUED', 'RUNNING'],
        shown.map((g) => [g.group, String(g.queued), String(g.running)]),
      ),
    )
  const more = cursor === null ? '' : `; next page: --cursor ${shellWord(cursor)}`
  ctx.err(`${shown.length} group${shown.length === 1 ? '' : 's'} of ${queue}${more}\n`)
  return EXIT.ok
}
