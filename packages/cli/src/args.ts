import { parseArgs } from 'node:util'
import { UsageError } from './exit-codes.js'

export const USAGE = `Usage: conveyor <command> [arguments] [flags]

Commands:
  stats                          counts per state of every queue
  jobs <queue> [--state S] [--type T] [--limit N] [--offset N]
                                 a queue's jobs in a state (queued by default)
  job <id>                       one job: state, attempts, payload, result, last error
  enqueue <type> --payload JSON [--delay-ms MS] [--run-at ISO] [--priority 0-9]
          [--max-attempts N] [--idempotency-key K] [--group G]
          [--dedup-key K [--dedup-mode unique|throttle|debounce] [--dedup-ttl-ms MS]]
          [--wait]               enqueues a job; --wait follows it until it is finished
  retry <id>                     retries a dead or cancelled job
  cancel <id>                    cancels a job that has not started
  remove <id>                    deletes a job that is not running
  requeue-dead <queue>           puts every dead job of the queue back in line
  pause <queue>, resume <queue>  stops or restarts handing out the queue's jobs
  tail [queue]                   live events of every queue (or one) until Ctrl-C
  schedules                      the scheduler's schedules
  limits get <queue> [--group G] a queue's limits, or one group's override
  limits set <queue> [--rate MAX/MS] [--groups-concurrency N] [--groups-rate MAX/MS]
  limits set <queue> --group G [--concurrency N] [--rate MAX/MS]
                                 replaces them as a whole (what is left out: no limit)
  limits clear <queue> [--group G]
                                 removes them (a group's: the queue's defaults apply)
  groups <queue> [--limit N] [--cursor C] [--all]
                                 groups with queued or running jobs, a page at a time
  flow create <file.json|-> [--wait]
                                 creates a flow ({ name?, jobs: [{ id, type, payload,
                                 dependsOn? }] }); --wait follows it until it ends
  flow get <id>, flow wait <id>, flow cancel <id>
                                 a flow and its jobs; waits for it to end; cancels it
  batch create [file.json|-] [--name N]
                                 opens a batch ({ name?, onSuccess?, onComplete?, jobs? })
  batch add <id> <file.json|->   adds jobs ({ jobs: [{ type, payload, options? }] })
  batch close <id>, batch get <id>
                                 no more jobs (its callbacks fire once all finished); a batch

Flags:
  --url URL          the API (env CONVEYOR_URL; default http://localhost:8080)
  --api-key KEY      its API key (env CONVEYOR_API_KEY)
  --json             machine-readable output: one JSON document (tail: one per line)
  --timeout-ms MS    per HTTP request (default 10000); with --wait, the whole wait
  -h, --help         this text
  --version          the CLI's version

Exit codes: 0 done, 1 the job or flow waited for ended dead, failed or cancelled,
2 bad usage, 3 not found (job, queue, flow, batch or route), 4 refused by the
server (validation, auth, conflict, rate limit), 5 server unreachable, timed out
or failing.
`

const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  state: { type: 'string' },
  type: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  payload: { type: 'string' },
  'delay-ms': { type: 'string' },
  'run-at': { type: 'string' },
  priority: { type: 'string' },
  'max-attempts': { type: 'string' },
  'idempotency-key': { type: 'string' },
  wait: { type: 'boolean' },
  group: { type: 'string' },
  'dedup-key': { type: 'string' },
  'dedup-mode': { type: 'string' },
  'dedup-ttl-ms': { type: 'string' },
  rate: { type: 'string' },
  concurrency: { type: 'string' },
  'groups-concurrency': { type: 'string' },
  'groups-rate': { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  name: { type: 'string' },
} as const

export type Flags = ReturnType<typeof parse>['flags']

/** Splits the command line into the command, its positional arguments and the flags. */
export function parse(argv: string[]) {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const [command, ...rest] = parsed.positionals
  return { command, rest, flags: parsed.values }
}

/** A flag that must be a whole number in a range, or undefined when absent. */
export function intFlag(
  flags: Flags,
  name:
    'limit' | 'offset' | 'delay-ms' | 'priority' | 'max-attempts' | 'timeout-ms' | 'dedup-ttl-ms',
  range: { min: number; max: number },
): number | undefined {
  const raw = flags[name]
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}`)
  }
  return value
}

/** The positional argument at `index`, required. */
export function positional(rest: string[], index: number, name: string): string {
  const value = rest[index]
  if (value === undefined || value === '') throw new UsageError(`missing <${name}>`)
  return value
}
