import type { EnqueueOptions } from '@conveyor/client'
import { intFlag, positional } from '../args.js'
import { EXIT, UsageError } from '../exit-codes.js'
import { parseJson } from '../json-input.js'
import { printJob } from './job.js'
import { printJson, type Command, type Context } from './context.js'

const DEDUP_MODES = ['unique', 'throttle', 'debounce'] as const

function payloadOf(raw: string | undefined): unknown {
  if (raw === undefined) throw new UsageError(`--payload is required, e.g. --payload '{"a":1}'`)
  return parseJson(raw, '--payload')
}

/** --dedup-key K [--dedup-mode M] [--dedup-ttl-ms MS]; the server checks the rest. */
function dedupOf(ctx: Context): EnqueueOptions['dedup'] {
  const key = ctx.flags['dedup-key']
  const mode = ctx.flags['dedup-mode'] ?? 'unique'
  const ttlMs = intFlag(ctx.flags, 'dedup-ttl-ms', { min: 1, max: Number.MAX_SAFE_INTEGER })
  if (key === undefined) {
    if (ctx.flags['dedup-mode'] !== undefined || ttlMs !== undefined)
      throw new UsageError('--dedup-mode and --dedup-ttl-ms need --dedup-key')
    return undefined
  }
  const known = DEDUP_MODES.find((m) => m === mode)
  if (!known) throw new UsageError(`--dedup-mode must be one of ${DEDUP_MODES.join(', ')}`)
  return { key, mode: known, ...(ttlMs === undefined ? {} : { ttlMs }) }
}

/**
 * `conveyor enqueue <type> --payload JSON`: prints the job's id and status; with
 * --wait, follows the job and exits 1 if it ends dead or cancelled.
 */
export const enqueue: Command = async (ctx) => {
  const type = positional(ctx.rest, 0, 'type')
  const payload = payloadOf(ctx.flags.payload)
  const options: EnqueueOptions = { timeoutMs: ctx.timeoutMs, signal: ctx.signal }
  const delayMs = intFlag(ctx.flags, 'delay-ms', { min: 0, max: 31_536_000_000 })
  const priority = intFlag(ctx.flags, 'priority', { min: 0, max: 9 })
  const maxAttempts = intFlag(ctx.flags, 'max-attempts', { min: 1, max: 100 })
  if (delayMs !== undefined) options.delayMs = delayMs
  if (priority !== undefined) options.priority = priority
  if (maxAttempts !== undefined) options.maxAttempts = maxAttempts
  if (ctx.flags['run-at'] !== undefined) options.runAt = ctx.flags['run-at']
  if (ctx.flags['idempotency-key'] !== undefined)
    options.idempotencyKey = ctx.flags['idempotency-key']
  if (ctx.flags.group !== undefined) options.group = ctx.flags.group
  const dedup = dedupOf(ctx)
  if (dedup !== undefined) options.dedup = dedup
  const accepted = await ctx.client.enqueue(type, payload, options)
  if (!ctx.flags.wait) {
    if (ctx.json) printJson(ctx, accepted)
    else ctx.out(`${accepted.status} ${accepted.id}\n`)
    return EXIT.ok
  }
  if (!ctx.json) ctx.err(`${accepted.status} ${accepted.id}; waiting for it to finish…\n`)
  const job = await ctx.client.waitFor(accepted.id, {
    signal: ctx.signal,
    ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }),
    onState: (j) =>
      !ctx.json && j.state !== 'completed' && ctx.err(`  ${j.state} (attempt ${j.attempts})\n`),
  })
  printJob(ctx, job)
  return job.state === 'completed' ? EXIT.ok : EXIT.jobFailed
}
