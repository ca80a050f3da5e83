import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { KEEP_RUNS, type SchedulerKeys } from '@conveyor/queue-core'
import type { Cluster, Redis } from 'ioredis'

/**
 * The scheduler's Lua scripts, read from the package's `lua/` folder (beside `src/` and
 * `dist/`, so the same path works from the sources and the build). Each has exactly one
 * typed wrapper here; each script's header lists its KEYS, ARGV and reply. The schedule
 * store's own scripts (create, edit, delete) are queue-core's.
 */
const LUA_DIR = new URL('../lua/', import.meta.url)

type ScriptName = 'acquire' | 'renew' | 'release' | 'due' | 'claim' | 'confirm' | 'reschedule'

interface LoadedScript {
  lua: string
  sha: string
}

const cache = new Map<ScriptName, LoadedScript>()

function loadScript(name: ScriptName): LoadedScript {
  let script = cache.get(name)
  if (!script) {
    const lua = readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8')
    script = { lua, sha: createHash('sha1').update(lua).digest('hex') }
    cache.set(name, script)
  }
  return script
}

/** The lease value and token every fenced call carries. */
export interface Fence {
  /** our lease value "<holder>|<token>" */
  leaseValue: string
  token: number
}

/** One schedule the due script returned: its stored forms, decoded by the caller. */
export interface DueEntry {
  id: string
  revision: string
  history: string
  record: string
}

export interface DueBatch {
  /** ms by the Redis server's clock (or the one given) */
  now: number
  /** the first due time after now; null when no schedule is due later */
  nextAt: number | null
  entries: DueEntry[]
}

export interface ClaimArgs {
  id: string
  /** the revision the decision was made on */
  revision: number
  slotMs: number
  state: 'claimed' | 'skipped'
  /** the slot's limit of fires; 0 none */
  limit: number
  /** the job to enqueue, JSON; '' when skipped */
  pending: string
  /** a missed entry, JSON; '' for none */
  missed: string
}

/** What a claim did: recorded, found the slot decided already, was refused, or saw a newer revision. */
export type ClaimOutcome = 'claimed' | 'taken' | 'fenced' | 'stale'

export interface RescheduleArgs {
  id: string
  revision: number
  /** ms; null: nothing left to fire */
  nextDue: number | null
  /** how many of the oldest older revisions are settled */
  settled: number
}

export type RescheduleOutcome = 'done' | 'removed' | 'fenced' | 'stale'

/** One typed wrapper per script; scripts run by EVALSHA, falling back to EVAL once. */
export class SchedulerScripts {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: SchedulerKeys,
  ) {}

  private async run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const script = loadScript(name)
    try {
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args)
    } catch (err) {
      // A restarted or flushed server forgets scripts; EVAL also caches it again.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
      return await this.redis.eval(script.lua, keys.length, ...keys, ...args)
    }
  }

  /** Returns the new (or kept) token, or 0 and the ms until the holder's lease expires. */
  async acquire(holder: string, leaseMs: number): Promise<{ token: number; ttlMs: number }> {
    const k = this.keys
    const [token, ttlMs] = (await this.run(
      'acquire',
      [k.lease, k.fence, k.leaderSince],
      [holder, leaseMs],
    )) as [number, number]
    return { token, ttlMs }
  }

  async renew(leaseValue: string, leaseMs: number): Promise<boolean> {
    return (await this.run('renew', [this.keys.lease], [leaseValue, leaseMs])) === 1
  }

  async release(leaseValue: string): Promise<boolean> {
    return (await this.run('release', [this.keys.lease], [leaseValue])) === 1
  }

  /** The schedules due at `now` (undefined: the server's clock), at most `max`. */
  async due(now: number | undefined, max: number): Promise<DueBatch> {
    const k = this.keys
    const reply = (await this.run(
      'due',
      [k.due, k.defs, k.history, k.slots],
      [now === undefined ? '' : now, max],
    )) as (string | number)[]
    const entries: DueEntry[] = []
    for (let i = 2; i + 3 < reply.length; i += 4) {
      entries.push({
        id: String(reply[i]),
        revision: String(reply[i + 1]),
        history: String(reply[i + 2]),
        record: String(reply[i + 3]),
      })
    }
    const nextAt = Number(reply[1])
    return { now: Number(reply[0]), nextAt: nextAt < 0 ? null : nextAt, entries }
  }

  async claim(fence: Fence, a: ClaimArgs): Promise<ClaimOutcome> {
    const k = this.keys
    const reply = await this.run(
      'claim',
      [k.lease, k.fence, k.defs, k.slots, k.missed(a.id)],
      [
        fence.leaseValue,
        fence.token,
        a.id,
        a.revision,
        a.slotMs,
        a.state,
        a.limit,
        a.pending,
        a.missed,
        KEEP_RUNS,
      ],
    )
    if (reply === 1) return 'claimed'
    if (reply === 0) return 'taken'
    if (reply === -2) return 'stale'
    return 'fenced'
  }

  /** Records a claimed slot's job as enqueued (or as failed for good); false if not claimed. */
  async confirm(a: {
    id: string
    slotMs: number
    state: 'fired' | 'failed'
    run: string
  }): Promise<boolean> {
    const k = this.keys
    const reply = await this.run(
      'confirm',
      [k.slots, k.runs(a.id)],
      [a.id, a.slotMs, a.state, a.run, KEEP_RUNS],
    )
    return reply === 1
  }

  async reschedule(fence: Fence, a: RescheduleArgs): Promise<RescheduleOutcome> {
    const k = this.keys
    const reply = await this.run(
      'reschedule',
      [k.lease, k.fence, k.defs, k.history, k.slots, k.due, k.runs(a.id), k.missed(a.id)],
      [fence.leaseValue, fence.token, a.id, a.revision, a.nextDue ?? -1, a.settled],
    )
    if (reply === 1) return 'done'
    if (reply === 2) return 'removed'
    if (reply === -2) return 'stale'
    return 'fenced'
  }
}
