import type { FlowRequest, FlowView } from '@conveyor/client'
import type { JobTypeMap } from '@conveyor/queue-core'
import { positional } from '../args.js'
import { EXIT, type ExitCode } from '../exit-codes.js'
import { readJsonInput } from '../json-input.js'
import { fields, table, when } from '../table.js'
import { printJson, type Command, type Context } from './context.js'
import { subcommands } from './subcommands.js'

/** Prints a flow: its state and counts, then a row per job with its edges. */
export function printFlow(ctx: Context, flow: FlowView): void {
  if (ctx.json) return printJson(ctx, flow)
  const { total, finished, dead, cancelled } = flow.counts
  ctx.out(
    fields([
      ['id', flow.id],
      ['name', flow.name],
      ['state', flow.state],
      ['jobs', `${finished} of ${total} finished (${dead} dead, ${cancelled} cancelled)`],
      ['created', when(flow.createdAt)],
      ['finished', when(flow.finishedAt)],
    ]),
  )
  ctx.out('\n')
  ctx.out(
    table(
      ['NODE', 'JOB', 'STATE', 'DEPENDS ON'],
      flow.jobs.map((j) => [j.node, j.id, j.state, j.dependsOn.join(', ')]),
    ),
  )
}

/** Follows a flow until it ends: 0 when it completed, 1 when it failed or was cancelled. */
async function follow(ctx: Context, flowId: string): Promise<ExitCode> {
  const flow = await ctx.client.flows.waitFor(flowId, {
    signal: ctx.signal,
    ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }),
    onEvent: (e) => {
      if (ctx.json) return
      if (e.event === 'job') ctx.err(`  ${e.node} ${e.state}\n`)
      else ctx.err(`  flow ${e.state}\n`)
    },
  })
  printFlow(ctx, flow)
  return flow.state === 'completed' ? EXIT.ok : EXIT.jobFailed
}

const call = (ctx: Context) => ({ timeoutMs: ctx.timeoutMs, signal: ctx.signal })

/**
 * `conveyor flow create <file.json|->`: the file is POST /flows' body. Prints the
 * flow's id and its jobs' ids; with --wait, follows it until it ends.
 */
const create: Command = async (ctx) => {
  const file = positional(ctx.rest, 0, 'file.json|-')
  // The server checks the flow, each payload against its job type, and names the field.
  const request = (await readJsonInput(file)) as FlowRequest<JobTypeMap>
  const created = await ctx.client.flows.create(request, call(ctx))
  if (!ctx.flags.wait) {
    if (ctx.json) printJson(ctx, created)
    else {
      ctx.out(`flow ${created.flowId}\n`)
      ctx.out(table(['NODE', 'JOB'], Object.entries(created.jobs)))
    }
    return EXIT.ok
  }
  if (!ctx.json) ctx.err(`flow ${created.flowId} created; waiting for it to end…\n`)
  return follow(ctx, created.flowId)
}

/** `conveyor flow get <id>`. */
const get: Command = async (ctx) => {
  printFlow(ctx, await ctx.client.flows.get(positional(ctx.rest, 0, 'id'), call(ctx)))
  return EXIT.ok
}

/** `conveyor flow wait <id>`: exit 0 once it completed, 1 once it failed or was cancelled. */
const wait: Command = async (ctx) => follow(ctx, positional(ctx.rest, 0, 'id'))

/** `conveyor flow cancel <id>`: cancels what has not finished; prints the flow after. */
const cancel: Command = async (ctx) => {
  printFlow(ctx, await ctx.client.flows.cancel(positional(ctx.rest, 0, 'id'), call(ctx)))
  return EXIT.ok
}

/** `conveyor flow create|get|wait|cancel`. */
export const flow = subcommands('flow', { create, get, wait, cancel })
