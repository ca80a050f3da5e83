import type { Redis } from 'ioredis'
import { scriptNames } from './script-names.js'

/** Redis logs every command slower than this; the dashboard's bound (issue 15). */
export const SLOW_US = 10_000
const KEEP = 1024
const OWN = new Set(['slowlog', 'config'])

export interface SlowCommand {
  durationUs: number
  /** the command and its first arguments, shortened */
  command: string
}

export interface SlowReport {
  /** commands over SLOW_US since the last reset (SLOWLOG LEN, not capped by what is kept) */
  count: number
  /** the slowest ones kept, slowest first */
  slowest: SlowCommand[]
}

/**
 * Logs commands over 10 ms into a fresh SLOWLOG; `read()` reports them and resets it,
 * `restore()` puts the server's own settings back.
 */
export async function watchSlowCommands(redis: Redis) {
  const saved = await Promise.all(
    ['slowlog-log-slower-than', 'slowlog-max-len'].map(
      async (name) => (await redis.config('GET', name)) as [string, string],
    ),
  )
  await redis.config('SET', 'slowlog-log-slower-than', String(SLOW_US))
  await redis.config('SET', 'slowlog-max-len', String(KEEP))
  await redis.slowlog('RESET')
  return {
    async read(): Promise<SlowReport> {
      const logged = Number(await redis.slowlog('LEN'))
      const raw = (await redis.slowlog('GET', KEEP)) as [number, number, number, string[]][]
      await redis.slowlog('RESET')
      // The bench's own SLOWLOG and CONFIG calls (a RESET of a full log takes a while).
      const theirs = raw.filter(([, , , args]) => !OWN.has(args[0]?.toLowerCase() ?? ''))
      const slowest = theirs
        .map(([, , durationUs, args]) => ({ durationUs, command: describe(args) }))
        .sort((a, b) => b.durationUs - a.durationUs)
      return { count: logged - (raw.length - theirs.length), slowest }
    },
    async restore(): Promise<void> {
      for (const [name, value] of saved) await redis.config('SET', name, value)
    },
  }
}

/** The command, its script's name for EVALSHA and EVAL, and its first keys. */
function describe(args: string[]): string {
  const [command = '', first = ''] = args
  const script =
    command.toLowerCase() === 'evalsha'
      ? (scriptNames().get(first) ?? first)
      : command.toLowerCase() === 'eval'
        ? (/^--\[\[ ([a-z-]+):/.exec(first)?.[1] ?? 'script')
        : undefined
  const shown = script === undefined ? args : [command, script, ...args.slice(2)]
  return shown
    .slice(0, 5)
    .map((a) => (a.length > 48 ? `${a.slice(0, 45)}...` : a))
    .join(' ')
}

/** The count, how many of each command (by name and script), and the slowest ones. */
export function formatSlow(report: SlowReport, top = 5): string {
  if (report.count === 0) return 'none'
  const byCommand = new Map<string, number>()
  for (const s of report.slowest) {
    const name = s.command.split(' ').slice(0, 2).join(' ')
    byCommand.set(name, (byCommand.get(name) ?? 0) + 1)
  }
  const counts = [...byCommand].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${n}× ${name}`)
  const list = report.slowest
    .slice(0, top)
    .map((s) => `${(s.durationUs / 1000).toFixed(1)} ms ${s.command}`)
  return `${report.count} (${counts.join(', ')}); slowest: ${list.join(' | ')}`
}
