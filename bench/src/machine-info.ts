import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'

export interface MachineInfo {
  nproc: number
  cpu: string
  memoryGb: number
  node: string
  redis: string
  redisPrivate: boolean
  platform: string
  versions: Record<string, string>
  /** 1-minute load average when the run started: other work on the machine skews every figure */
  loadAtStart: number
}

/** The versions of the peers as installed, read from their package.json. */
function installedVersion(pkg: string): string {
  try {
    const url = new URL(`../node_modules/${pkg}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

export function machineInfo(redis: { version: string; private: boolean }): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1e9),
    node: process.version,
    redis: redis.version,
    redisPrivate: redis.private,
    platform: `${process.platform} ${process.arch}`,
    loadAtStart: loadavg()[0] ?? 0,
    versions: {
      bullmq: installedVersion('bullmq'),
      'bee-queue': installedVersion('bee-queue'),
      ioredis: installedVersion('ioredis'),
      autocannon: installedVersion('autocannon'),
    },
  }
}

export function describeMachine(m: MachineInfo): string {
  const v = Object.entries(m.versions)
    .map(([k, x]) => `${k} ${x}`)
    .join(', ')
  return `${m.nproc} cores (${m.cpu}), ${m.memoryGb} GB, ${m.platform}, Node ${m.node}, Redis ${m.redis}${m.redisPrivate ? ' (private, no persistence)' : ' (REDIS_URL)'}; ${v}; load average ${m.loadAtStart.toFixed(2)} at start`
}

/** The 1-minute load average now, to print next to the one at the start. */
export function loadNow(): number {
  return loadavg()[0] ?? 0
}
