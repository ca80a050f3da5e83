import { positional } from '../args.js'
import { EXIT } from '../exit-codes.js'
import { printJob } from './job.js'
import { printJson, type Command } from './context.js'

/** `conveyor retry <id>` and `conveyor cancel <id>`: the job as it is afterwards. */
export function jobAction(action: 'retry' | 'cancel'): Command {
  return async (ctx) => {
    const id = positional(ctx.rest, 0, 'id')
    const call = { timeoutMs: ctx.timeoutMs, signal: ctx.signal }
    const job = await (action === 'retry'
      ? ctx.client.retry(id, call)
      : ctx.client.cancel(id, call))
    printJob(ctx, job)
    return EXIT.ok
  }
}

/** `conveyor remove <id>`. */
export const remove: Command = async (ctx) => {
  const id = positional(ctx.rest, 0, 'id')
  await ctx.client.remove(id, { timeoutMs: ctx.timeoutMs, signal: ctx.signal })
  if (ctx.json) printJson(ctx, { id, removed: true })
  else ctx.out(`removed ${id}\n`)
  return EXIT.ok
}

/** `conveyor requeue-dead <queue>`. */
export const requeueDead: Command = async (ctx) => {
  const queue = positional(ctx.rest, 0, 'queue')
  const result = await ctx.client.requeueDead(queue, {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
  })
  if (ctx.json) printJson(ctx, result)
  else
    ctx.out(`requeued ${result.requeued} dead job${result.requeued === 1 ? '' : 's'} of ${queue}\n`)
  return EXIT.ok
}

/** `conveyor pause <queue>` and `conveyor resume <queue>`. */
export function queueAction(action: 'pause' | 'resume'): Command {
  return async (ctx) => {
    const queue = positional(ctx.rest, 0, 'queue')
    const call = { timeoutMs: ctx.timeoutMs, signal: ctx.signal }
    const status = await (action === 'pause'
      ? ctx.client.pause(queue, call)
      : ctx.client.resume(queue, call))
    if (ctx.json) printJson(ctx, status)
    else ctx.out(`${queue} is ${status.paused ? 'paused' : 'running'}\n`)
    return EXIT.ok
  }
}
