#!/usr/bin/env node
/**
 * `conveyor`: the command line for a Conveyor API. It talks to the API over HTTP
 * through @conveyor/client; the exit codes are listed in USAGE (args.ts).
 */
import { readFileSync } from 'node:fs'
import { ConveyorClient } from '@conveyor/client'
import type { JobTypeMap } from '@conveyor/queue-core'
import { intFlag, parse, USAGE } from './args.js'
import { batch } from './commands/batch.js'
import type { Command, Context } from './commands/context.js'
import { enqueue } from './commands/enqueue.js'
import { flow } from './commands/flow.js'
import { groups } from './commands/groups.js'
import { job } from './commands/job.js'
import { jobs } from './commands/jobs.js'
import { limits } from './commands/limits.js'
import { jobAction, queueAction, remove, requeueDead } from './commands/operate.js'
import { schedules } from './commands/schedules.js'
import { stats } from './commands/stats.js'
import { tail } from './commands/tail.js'
import { EXIT, exitCodeOf, UsageError, type ExitCode } from './exit-codes.js'

const COMMANDS: Record<string, Command> = {
  stats,
  jobs,
  job,
  enqueue,
  retry: jobAction('retry'),
  cancel: jobAction('cancel'),
  remove,
  'requeue-dead': requeueDead,
  pause: queueAction('pause'),
  resume: queueAction('resume'),
  tail,
  schedules,
  limits,
  groups,
  flow,
  batch,
}

const out = (text: string) => void process.stdout.write(text)
const err = (text: string) => void process.stderr.write(text)

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

async function run(argv: string[]): Promise<ExitCode> {
  const { command, rest, flags } = parse(argv)
  if (flags.version) {
    out(`${version()}\n`)
    return EXIT.ok
  }
  if (flags.help || command === undefined || command === 'help') {
    ;(command === undefined && !flags.help ? err : out)(USAGE)
    return command === undefined && !flags.help ? EXIT.usage : EXIT.ok
  }
  const handler = COMMANDS[command]
  if (!handler) throw new UsageError(`unknown command "${command}"`)
  // Loaded here, not on --help or --version: TypeBox is most of the start-up time.
  const { loadCliEnv } = await import('./config.js')
  const env = loadCliEnv(process.env)
  const url = flags.url ?? env.CONVEYOR_URL
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must start with http:// or https://`)
  const timeoutMs = intFlag(flags, 'timeout-ms', { min: 1, max: 86_400_000 })
  const interrupt = new AbortController()
  process.once('SIGINT', () => interrupt.abort())
  const ctx: Context = {
    client: new ConveyorClient<JobTypeMap>({
      url,
      apiKey: flags['api-key'] ?? env.CONVEYOR_API_KEY,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    }),
    rest,
    flags,
    json: flags.json ?? false,
    timeoutMs,
    signal: interrupt.signal,
    out,
    err,
  }
  try {
    return await handler(ctx)
  } catch (e) {
    // Ctrl-C during a wait or a tail is the user's choice, not a failure.
    if (interrupt.signal.aborted) return EXIT.ok
    throw e
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    const code = exitCodeOf(e)
    const message = e instanceof Error ? e.message : String(e)
    err(`conveyor: ${message}\n`)
    if (code === EXIT.usage) err(`run "conveyor --help" for the commands and flags\n`)
    process.exitCode = code
  },
)
