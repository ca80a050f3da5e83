import type { BatchJobInput, BatchRequest, BatchView } from '@conveyor/client'
import type { JobTypeMap } from '@conveyor/queue-core'
import { positional } from '../args.js'
import { EXIT, UsageError } from '../exit-codes.js'
import { readJsonInput } from '../json-input.js'
import { fields, when } from '../table.js'
import { printJson, type Command, type Context } from './context.js'
import { subcommands } from './subcommands.js'

type Request = BatchRequest<JobTypeMap>
type Jobs = { jobs: BatchJobInput<JobTypeMap>[] }

const call = (ctx: Context) => ({ timeoutMs: ctx.timeoutMs, signal: ctx.signal })

/** Prints a batch: its state, counts by outcome, failed jobs and fired callbacks. */
export function printBatch(ctx: Context, batch: BatchView): void {
  if (ctx.json) return printJson(ctx, batch)
  const { total, completed, dead, cancelled, pending } = batch.counts
  ctx.out(
    fields([
      ['id', batch.id],
      ['name', batch.name],
      ['state', batch.state],
      [
        'jobs',
        `${total}: ${completed} completed, ${dead} dead, ${cancelled} cancelled, ${pending} pending`,
      ],
      ['failed', batch.failed.length > 0 ? batch.failed.join(' ') : undefined],
      ['onSuccess', batch.callbacks.onSuccess],
      ['onComplete', batch.callbacks.onComplete],
      ['created', when(batch.createdAt)],
      ['finished', when(batch.finishedAt)],
    ]),
  )
}

function printAdded(ctx: Context, answer: { batchId: string; jobs: string[] }): void {
  if (ctx.json) return printJson(ctx, answer)
  const n = answer.jobs.length
  ctx.out(`batch ${answer.batchId}: ${n} job${n === 1 ? '' : 's'} added\n`)
  for (const id of answer.jobs) ctx.out(`${id}\n`)
}

/**
 * `conveyor batch create [file.json|-] [--name N]`: the file is POST /batches' body
 * (callbacks, maybe first jobs); without one, an empty batch.
 */
const create: Command = async (ctx) => {
  const file = ctx.rest[0]
  const request = (file === undefined ? {} : await readJsonInput(file)) as Request
  if (request === null || typeof request !== 'object' || Array.isArray(request))
    throw new UsageError(`${file} must hold an object: { name?, onSuccess?, onComplete?, jobs? }`)
  if (ctx.flags.name !== undefined) request.name = ctx.flags.name
  printAdded(ctx, await ctx.client.batches.create(request, call(ctx)))
  return EXIT.ok
}

/** `conveyor batch add <id> <file.json|->`: `{ jobs: [...] }`, or the array alone. */
const add: Command = async (ctx) => {
  const batchId = positional(ctx.rest, 0, 'id')
  const input = await readJsonInput(positional(ctx.rest, 1, 'file.json|-'))
  const body = (Array.isArray(input) ? { jobs: input as unknown } : input) as Jobs
  const jobs = await ctx.client.batches.add(batchId, body, call(ctx))
  printAdded(ctx, { batchId, jobs })
  return EXIT.ok
}

/** `conveyor batch close <id>`: no more jobs; prints the batch after. */
const close: Command = async (ctx) => {
  printBatch(ctx, await ctx.client.batches.close(positional(ctx.rest, 0, 'id'), call(ctx)))
  return EXIT.ok
}

/** `conveyor batch get <id>`. */
const get: Command = async (ctx) => {
  printBatch(ctx, await ctx.client.batches.get(positional(ctx.rest, 0, 'id'), call(ctx)))
  return EXIT.ok
}

/** `conveyor batch create|add|close|get`. */
export const batch = subcommands('batch', { create, add, close, get })
