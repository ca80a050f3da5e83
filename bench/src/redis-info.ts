import type { Redis } from 'ioredis'

/** One section of INFO as key → value. */
export async function info(redis: Redis, section: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const line of (await redis.info(section)).split('\r\n')) {
    const at = line.indexOf(':')
    if (at > 0 && !line.startsWith('#')) out.set(line.slice(0, at), line.slice(at + 1))
  }
  return out
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number((await info(redis, 'memory')).get('used_memory'))
}

/** Redis's own CPU time (user + sys), in µs. */
export async function redisCpuMicros(redis: Redis): Promise<number> {
  const cpu = await info(redis, 'cpu')
  return (Number(cpu.get('used_cpu_user')) + Number(cpu.get('used_cpu_sys'))) * 1e6
}

export interface CommandStat {
  calls: number
  usec: number
}

/**
 * INFO commandstats as command → calls and µs. Since Redis 7 commands a Lua script
 * runs are counted as well, and the script's own usec includes theirs.
 */
export async function commandStats(redis: Redis): Promise<Map<string, CommandStat>> {
  const out = new Map<string, CommandStat>()
  for (const [key, value] of await info(redis, 'commandstats')) {
    const calls = /calls=(\d+)/.exec(value)
    const usec = /usec=(\d+)/.exec(value)
    out.set(key.replace(/^cmdstat_/, ''), { calls: Number(calls?.[1]), usec: Number(usec?.[1]) })
  }
  return out
}

export function diffStats(
  before: Map<string, CommandStat>,
  after: Map<string, CommandStat>,
): Map<string, CommandStat> {
  const out = new Map<string, CommandStat>()
  for (const [cmd, a] of after) {
    const b = before.get(cmd) ?? { calls: 0, usec: 0 }
    if (a.calls > b.calls) out.set(cmd, { calls: a.calls - b.calls, usec: a.usec - b.usec })
  }
  return out
}
