import { readFile } from 'node:fs/promises'
import type { Redis } from 'ioredis'
import { info, redisCpuMicros } from '../redis-info.js'

// Linux's USER_HZ: /proc/<pid>/stat counts CPU time in ticks of 10 ms.
const TICK_MS = 10

async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which may hold spaces, closed by the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

async function involuntarySwitches(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN)
}

export interface CpuCost {
  apiMs: number
  redisMs: number
  /** times the kernel took the CPU from Redis mid-work (NaN when Redis is not local) */
  redisPreempted: number
}

/**
 * CPU the API process and Redis spent over some work, and how often Redis was preempted:
 * what a request costs whatever else shares the machine, and a hint of why a command
 * took long on the wall clock.
 */
export async function cpuCost(o: { apiPid: number; redis: Redis }) {
  const redisPid = Number((await info(o.redis, 'server')).get('process_id'))
  const sample = async () => ({
    api: await processCpuMs(o.apiPid),
    redis: (await redisCpuMicros(o.redis)) / 1000,
    switches: await involuntarySwitches(redisPid).catch(() => Number.NaN),
  })
  const before = await sample()
  return {
    async end(): Promise<CpuCost> {
      const after = await sample()
      return {
        apiMs: after.api - before.api,
        redisMs: after.redis - before.redis,
        redisPreempted: after.switches - before.switches,
      }
    },
  }
}

export const fmtCpu = (c: CpuCost, per: number, unit: string): string =>
  `CPU per ${unit}: API ${(c.apiMs / per).toFixed(2)} ms, Redis ${(c.redisMs / per).toFixed(2)} ms`
