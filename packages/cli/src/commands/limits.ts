import type { GroupLimits, QueueLimits, RateLimit } from '@conveyor/client'
import { type Flags, positional } from '../args.js'
import { EXIT, UsageError } from '../exit-codes.js'
import { fields } from '../table.js'
import { printJson, type Command, type Context } from './context.js'
import { subcommands } from './subcommands.js'

const rateText = (rate: RateLimit | undefined) =>
  rate ? `${rate.max} per ${rate.perMs} ms` : undefined
const countText = (n: number | undefined) => (n === undefined ? undefined : String(n))

/**
 * A number as given: its range is the server's to check, so that a refused value is
 * its 400 naming the field, as the API and the client see it.
 */
function numberFlag(flags: Flags, name: 'concurrency' | 'groups-concurrency'): number | undefined {
  const raw = flags[name]
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`--${name} must be a number`)
  return value
}

/** `--rate 100/1000`: at most 100 starts in any 1000 ms. */
function rateFlag(flags: Flags, name: 'rate' | 'groups-rate'): RateLimit | undefined {
  const raw = flags[name]
  if (raw === undefined) return undefined
  const [max, perMs, extra] = raw
    .split('/')
    .map((part) => (part.trim() === '' ? NaN : Number(part)))
  if (extra !== undefined || !Number.isFinite(max) || !Number.isFinite(perMs)) {
    throw new UsageError(`--${name} must be MAX/MS, e.g. 100/1000 (100 starts per second)`)
  }
  return { max: max ?? NaN, perMs: perMs ?? NaN }
}

/** The rows of a queue's limits or of a group's override; none when there is no limit. */
function rows(
  limits: { queue: QueueLimits } | { group: GroupLimits },
): [string, string | undefined][] {
  if ('group' in limits) {
    return [
      ['concurrency', countText(limits.group.concurrency)],
      ['rate', rateText(limits.group.rate)],
    ]
  }
  return [
    ['rate', rateText(limits.queue.rate)],
    ['each group: concurrency', countText(limits.queue.groups?.concurrency)],
    ['each group: rate', rateText(limits.queue.groups?.rate)],
  ]
}

function printLimits(
  ctx: Context,
  limits: { queue: QueueLimits } | { group: GroupLimits },
  where: string,
): void {
  if (ctx.json) return printJson(ctx, 'group' in limits ? limits.group : limits.queue)
  const pairs = rows(limits)
  if (pairs.some(([, value]) => value !== undefined)) ctx.out(fields(pairs))
  else if ('group' in limits) ctx.out(`no override for ${where}: the queue's group limits apply\n`)
  else ctx.out(`no limits on ${where}\n`)
}

function target(ctx: Context) {
  const queue = positional(ctx.rest, 0, 'queue')
  const group = ctx.flags.group
  const call = { timeoutMs: ctx.timeoutMs, signal: ctx.signal }
  return { queue, group, call, where: group === undefined ? queue : `group ${group} of ${queue}` }
}

/** `conveyor limits get <queue> [--group G]`. */
const get: Command = async (ctx) => {
  const { queue, group, call, where } = target(ctx)
  const limits =
    group === undefined
      ? { queue: await ctx.client.limits.get(queue, call) }
      : { group: await ctx.client.limits.getGroup(queue, group, call) }
  printLimits(ctx, limits, where)
  return EXIT.ok
}

/** `conveyor limits set <queue> [--group G] ...`: replaces the limits as a whole. */
const set: Command = async (ctx) => {
  const { queue, group, call, where } = target(ctx)
  const rate = rateFlag(ctx.flags, 'rate')
  let stored: { queue: QueueLimits } | { group: GroupLimits }
  if (group === undefined) {
    if (ctx.flags.concurrency !== undefined)
      throw new UsageError('--concurrency is a group’s: give --group, or --groups-concurrency')
    const groups: GroupLimits = {}
    const concurrency = numberFlag(ctx.flags, 'groups-concurrency')
    const groupsRate = rateFlag(ctx.flags, 'groups-rate')
    if (concurrency !== undefined) groups.concurrency = concurrency
    if (groupsRate !== undefined) groups.rate = groupsRate
    const limits: QueueLimits = {}
    if (rate !== undefined) limits.rate = rate
    if (Object.keys(groups).length > 0) limits.groups = groups
    if (Object.keys(limits).length === 0) {
      throw new UsageError(
        'nothing to set: give --rate, --groups-concurrency or --groups-rate (limits clear removes them)',
      )
    }
    stored = { queue: await ctx.client.limits.set(queue, limits, call) }
  } else {
    if (ctx.flags['groups-concurrency'] !== undefined || ctx.flags['groups-rate'] !== undefined)
      throw new UsageError('--groups-concurrency and --groups-rate are the queue’s: drop --group')
    const limits: GroupLimits = {}
    const concurrency = numberFlag(ctx.flags, 'concurrency')
    if (concurrency !== undefined) limits.concurrency = concurrency
    if (rate !== undefined) limits.rate = rate
    if (Object.keys(limits).length === 0) {
      throw new UsageError(
        'nothing to set: give --concurrency or --rate (limits clear removes the override)',
      )
    }
    stored = { group: await ctx.client.limits.setGroup(queue, group, limits, call) }
  }
  printLimits(ctx, stored, where)
  return EXIT.ok
}

/** `conveyor limits clear <queue> [--group G]`. */
const clear: Command = async (ctx) => {
  const { queue, group, call, where } = target(ctx)
  if (group === undefined) await ctx.client.limits.clear(queue, call)
  else await ctx.client.limits.clearGroup(queue, group, call)
  if (ctx.json) printJson(ctx, { queue, ...(group === undefined ? {} : { group }), cleared: true })
  else ctx.out(`cleared the limits of ${where}\n`)
  return EXIT.ok
}

/** `conveyor limits get|set|clear`. */
export const limits = subcommands('limits', { get, set, clear })
