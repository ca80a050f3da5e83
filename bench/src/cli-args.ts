export const SYSTEM_NAMES = ['conveyor', 'bullmq', 'bee-queue', 'naive'] as const
export type SystemName = (typeof SYSTEM_NAMES)[number]

export const SCENARIO_NAMES = [
  'enqueue',
  'process',
  'latency',
  'memory',
  'http',
  'groups',
  'flows',
  'dashboard',
] as const
export type ScenarioName = (typeof SCENARIO_NAMES)[number]

export interface BenchArgs {
  n: number
  reps: number
  only: ScenarioName[]
  systems: SystemName[]
  /** explores Conveyor's prefetch; the reported table is meant for the default (undefined) */
  conveyorPrefetch: number | undefined
  /** seconds each autocannon run lasts */
  httpSeconds: number
  /** seconds of steady load in the latency scenario */
  latencySeconds: number
  /** allows FLUSHALL on a REDIS_URL that already holds keys */
  allowFlush: boolean
  /** payload sizes (bytes of JSON) swept by the process and memory scenarios; [] = none */
  sizes: number[]
  /** queued jobs the dashboard scenario browses (issue 15's size by default) */
  dashboardJobs: number
}

/** Sizes named as on the command line: 1k = 1,000 bytes, 1m = 1,000,000. */
export const DEFAULT_SIZES = [1_000, 10_000, 100_000, 1_000_000]

const USAGE = `usage: pnpm bench [--n 50000] [--reps 3] [--only ${SCENARIO_NAMES.join(',')}]
                  [--systems ${SYSTEM_NAMES.join(',')}] [--conveyor-prefetch N]
                  [--http-seconds 10] [--latency-seconds 5] [--allow-flush]
                  [--sizes 1k,10k,100k,1m | --sizes none] [--dashboard-jobs 1000000]`

/** Parses process.argv by hand: a handful of flags does not need a dependency. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    n: 50_000,
    reps: 3,
    only: [...SCENARIO_NAMES],
    systems: [...SYSTEM_NAMES],
    conveyorPrefetch: undefined,
    httpSeconds: 10,
    latencySeconds: 5,
    allowFlush: false,
    sizes: [...DEFAULT_SIZES],
    dashboardJobs: 1_000_000,
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? ''
    const [name, inline] = flag.includes('=') ? flag.split('=', 2) : [flag, undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined) fail(`${name} needs a value`)
      return v
    }
    switch (name) {
      case '--n':
        args.n = positiveInt(name, value())
        break
      case '--reps':
        args.reps = positiveInt(name, value())
        break
      case '--only':
        args.only = list(name, value(), SCENARIO_NAMES)
        break
      case '--systems':
        args.systems = list(name, value(), SYSTEM_NAMES)
        break
      case '--conveyor-prefetch':
        args.conveyorPrefetch = Number.parseInt(value(), 10)
        if (!(args.conveyorPrefetch >= 0)) fail(`${name} wants an integer >= 0`)
        break
      case '--http-seconds':
        args.httpSeconds = positiveInt(name, value())
        break
      case '--latency-seconds':
        args.latencySeconds = positiveInt(name, value())
        break
      case '--allow-flush':
        args.allowFlush = true
        break
      case '--sizes':
        args.sizes = sizes(name, value())
        break
      case '--dashboard-jobs':
        args.dashboardJobs = positiveInt(name, value())
        if (args.dashboardJobs < 1_000) fail(`${name} wants at least 1000`)
        break
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`)
        process.exit(0)
        break
      default:
        fail(`unknown argument "${flag}"`)
    }
  }
  return args
}

function positiveInt(name: string | undefined, raw: string): number {
  const n = Number(raw.replaceAll('_', ''))
  if (!Number.isInteger(n) || n <= 0) fail(`${name} wants a positive integer, got "${raw}"`)
  return n
}

function list<T extends string>(name: string | undefined, raw: string, allowed: readonly T[]): T[] {
  const items = raw.split(',').filter((s) => s !== '')
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item))
      fail(`${name}: "${item}" is not one of ${allowed.join(', ')}`)
  }
  return items as T[]
}

function sizes(name: string | undefined, raw: string): number[] {
  if (raw === 'none') return []
  return raw.split(',').map((item) => {
    const m = /^(\d+)(k|m)?$/.exec(item.trim().toLowerCase())
    if (!m) fail(`${name}: "${item}" is not a size like 10k or 1m`)
    const unit = m[2] === 'k' ? 1_000 : m[2] === 'm' ? 1_000_000 : 1
    const bytes = Number(m[1]) * unit
    if (bytes < 100) fail(`${name}: ${item} is smaller than a job's own fields`)
    return bytes
  })
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`)
  process.exit(2)
}
