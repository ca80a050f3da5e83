import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from './connection.js'
import type { QueueKeys } from './keys.js'
import { redisCall } from './redis-errors.js'

/** What a worker says of itself on each heartbeat. */
export interface WorkerInfo {
  id: string
  queue: string
  host: string
  pid: number
  /** queue-core's version */
  version: string
  concurrency: number
  /** slots taken now */
  busy: number
  /** job ids whose handler runs now (the first 50) */
  running: string[]
  /** resident set size of the process, bytes */
  rssBytes: number
  startedAt: number
  /** ms since the epoch of this heartbeat */
  at: number
  /** how often it beats, ms */
  everyMs: number
}

export type WorkerStatus = 'alive' | 'stale' | 'dead'

/** A heartbeat older than this many periods marks its worker stale; older still, dead. */
const STALE_PERIODS = 3
const DEAD_PERIODS = 10
/** Entries of workers gone for this long are removed when the registry is read. */
const FORGET_MS = 3_600_000

let version: string | undefined
function coreVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
        version?: string
      }
      version = pkg.version ?? 'unknown'
    } catch {
      version = 'unknown'
    }
  }
  return version
}

/** The fields of WorkerInfo a worker fills from the process it runs in. */
export function processInfo(): Pick<WorkerInfo, 'host' | 'pid' | 'version'> {
  return { host: hostname(), pid: process.pid, version: coreVersion() }
}

/**
 * Writes a worker's heartbeat into its queue's registry hash. The hash expires a while
 * after the last worker of the queue stopped beating, and readers judge each entry by
 * its age, so a SIGKILLed worker shows as stale, then dead, then goes.
 */
export function addBeat(pipeline: ChainableCommander, keys: QueueKeys, info: WorkerInfo): void {
  pipeline.hset(keys.workers, info.id, JSON.stringify(info)).pexpire(keys.workers, FORGET_MS)
}

/** Removes a worker from the registry (on a clean shutdown). */
export function leave(pipeline: ChainableCommander, keys: QueueKeys, id: string): void {
  pipeline.hdel(keys.workers, id)
}

/** Every worker of the queue with its status, forgetting ones long gone. */
export async function readWorkers(
  redis: RedisClient,
  keys: QueueKeys,
  now = Date.now(),
): Promise<(WorkerInfo & { status: WorkerStatus; heartbeatAgeMs: number })[]> {
  const raw = await redisCall(redis.hgetall(keys.workers))
  const out: (WorkerInfo & { status: WorkerStatus; heartbeatAgeMs: number })[] = []
  const gone: string[] = []
  for (const [id, json] of Object.entries(raw)) {
    let info: WorkerInfo
    try {
      info = JSON.parse(json) as WorkerInfo
    } catch {
      gone.push(id)
      continue
    }
    const age = Math.max(0, now - info.at)
    if (age > FORGET_MS) {
      gone.push(id)
      continue
    }
    const period = Math.max(1, info.everyMs)
    const status: WorkerStatus =
      age > period * DEAD_PERIODS ? 'dead' : age > period * STALE_PERIODS ? 'stale' : 'alive'
    out.push({ ...info, status, heartbeatAgeMs: age })
  }
  if (gone.length > 0) await redisCall(redis.hdel(keys.workers, ...gone))
  return out.sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid)
}
