import type { JobState, JobSummaryView } from '@conveyor/client'
import { intFlag, positional } from '../args.js'
import { EXIT, UsageError } from '../exit-codes.js'
import { cut, relative, table } from '../table.js'
import { printJson, type Command } from './context.js'

const STATES = ['queued', 'scheduled', 'active', 'retrying', 'completed', 'dead', 'cancelled']
// With --type, pages are read until enough jobs match, but no further than this.
const SCAN_LIMIT = 10_000
const PAGE = 1000

/** Rows of a job list: what an operator scans for. */
export function jobRows(jobs: JobSummaryView[]): string[][] {
  return jobs.map((j) => [
    j.id,
    j.type,
    j.state,
    `${j.attempts}/${j.maxAttempts}`,
    relative(j.createdAt),
    j.lastError ? cut(j.lastError.message, 60) : '',
  ])
}

export const JOB_HEADER = ['ID', 'TYPE', 'STATE', 'ATTEMPTS', 'CREATED', 'LAST ERROR']

/**
 * `conveyor jobs <queue> [--state S] [--type T]`: one page of a queue's jobs in a
 * state. The API pages by state only, so --type filters as it reads, page by page.
 */
export const jobs: Command = async (ctx) => {
  const queue = positional(ctx.rest, 0, 'queue')
  const state = ctx.flags.state ?? 'queued'
  if (!STATES.includes(state)) throw new UsageError(`--state must be one of ${STATES.join(', ')}`)
  const limit = intFlag(ctx.flags, 'limit', { min: 1, max: 1000 }) ?? 50
  const offset = intFlag(ctx.flags, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 0
  const call = { timeoutMs: ctx.timeoutMs, signal: ctx.signal, state: state as JobState }
  const type = ctx.flags.type
  let shown: JobSummaryView[]
  let total: number
  let scanned: number | undefined
  if (type === undefined) {
    const page = await ctx.client.listJobs(queue, { ...call, offset, limit })
    shown = page.jobs
    total = page.total
  } else {
    shown = []
    let at = offset
    for (;;) {
      const page = await ctx.client.listJobs(queue, { ...call, offset: at, limit: PAGE })
      total = page.total
      shown.push(...page.jobs.filter((j) => j.type === type))
      at += page.jobs.length
      if (shown.length >= limit || page.jobs.length < PAGE || at - offset >= SCAN_LIMIT) break
    }
    shown = shown.slice(0, limit)
    scanned = at - offset
  }
  if (ctx.json) {
    printJson(ctx, { queue, state, ...(type ? { type } : {}), total, offset, jobs: shown })
    return EXIT.ok
  }
  if (shown.length === 0) ctx.out(`no ${state} jobs${type ? ` of type ${type}` : ''} in ${queue}\n`)
  else ctx.out(table(JOB_HEADER, jobRows(shown)))
  const note =
    scanned === undefined
      ? `${shown.length} of ${total} ${state} jobs in ${queue}`
      : `${shown.length} ${type} jobs among ${scanned} of ${total} ${state} jobs read in ${queue}`
  ctx.err(`${note}\n`)
  return EXIT.ok
}
