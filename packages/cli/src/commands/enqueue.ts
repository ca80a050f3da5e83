import type { EnqueueOptions } from '@conveyor/client'
import { intFlag, positional } from '../args.js'
import { EXIT, UsageError } from '../exit-codes.js'
import { printJob } from './job.js'
import { printJson, type Command } from './context.js'

function payloadOf(raw: string | undefined): unknown {
  if (raw === undefined) throw new UsageError(`--payload is required, e.g. --payload '{"a":1}'`)
  try {
    return JSON.parse(raw) as unknown
  } catch (err) {
    throw new UsageError(`--payload is not JSON: ${(err as Error).message}`)
  }
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
