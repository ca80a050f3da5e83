import type { ConveyorClient } from '@conveyor/client'
import type { JobTypeMap } from '@conveyor/queue-core'
import type { Flags } from '../args.js'
import type { ExitCode } from '../exit-codes.js'

/** What every command gets: the client, its arguments, and where to write. */
export interface Context {
  client: ConveyorClient<JobTypeMap>
  rest: string[]
  flags: Flags
  json: boolean
  /** per HTTP request, from --timeout-ms */
  timeoutMs: number | undefined
  /** aborted by Ctrl-C */
  signal: AbortSignal
  out(text: string): void
  err(text: string): void
}

export type Command = (ctx: Context) => Promise<ExitCode>

/** Writes `value` as indented JSON and a newline. */
export function printJson(ctx: Context, value: unknown): void {
  ctx.out(`${JSON.stringify(value, null, 2)}\n`)
}
