import type { JobView } from '@conveyor/client'
import { positional } from '../args.js'
import { EXIT } from '../exit-codes.js'
import { cut, fields, when } from '../table.js'
import { printJson, type Command, type Context } from './context.js'

const json = (value: unknown) => (value === undefined ? undefined : cut(JSON.stringify(value), 200))

/** Prints one job, as JSON or as a list of its fields. */
export function printJob(ctx: Context, job: JobView): void {
  if (ctx.json) return printJson(ctx, job)
  const error = job.lastError
  ctx.out(
    fields([
      ['id', job.id],
      ['type', job.type],
      ['queue', job.queue],
      ['state', job.state],
      ['attempts', `${job.attempts} of ${job.maxAttempts}`],
      ['priority', String(job.priority)],
      ['created', when(job.createdAt)],
      ['run at', when(job.runAt)],
      ['started', when(job.startedAt)],
      ['finished', when(job.finishedAt)],
      ['payload', json(job.payload)],
      ['progress', json(job.progress)],
      ['result', json(job.result)],
      [
        'last error',
        error
          ? `${error.message}${error.code ? ` [${error.code}]` : ''} (attempt ${error.attempt}, ${error.failedAt})`
          : undefined,
      ],
      ['download', job.downloadUrl],
    ]),
  )
}

/** `conveyor job <id>`. */
export const job: Command = async (ctx) => {
  const id = positional(ctx.rest, 0, 'id')
  printJob(ctx, await ctx.client.getJob(id, { timeoutMs: ctx.timeoutMs, signal: ctx.signal }))
  return EXIT.ok
}
