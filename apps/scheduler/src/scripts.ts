import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Cluster, Redis } from 'ioredis'
import type { SchedulerKeys } from './keys.js'

/**
 * The scheduler's Lua scripts, read from the package's `lua/` folder (beside `src/` and
 * `dist/`, so the same path works from the sources and the build). Each has exactly one
 * typed wrapper here; each script's header lists its KEYS, ARGV and reply.
 */
const LUA_DIR = new URL('../lua/', import.meta.url)

type ScriptName = 'acquire' | 'renew' | 'release' | 'claim' | 'confirm'

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

/** What a claim did: recorded the slot, found it (or a later one) recorded, or was refused. */
export type ClaimOutcome = 'claimed' | 'taken' | 'fenced'

export interface ClaimArgs {
  /** our lease value "<holder>|<token>" */
  leaseValue: string
  token: number
  schedule: string
  slotMs: number
  state: 'claimed' | 'skipped'
}

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
    const [token, ttlMs] = (await this.run('acquire', [k.lease, k.fence], [holder, leaseMs])) as [
      number,
      number,
    ]
    return { token, ttlMs }
  }

  async renew(leaseValue: string, leaseMs: number): Promise<boolean> {
    return (await this.run('renew', [this.keys.lease], [leaseValue, leaseMs])) === 1
  }

  async release(leaseValue: string): Promise<boolean> {
    return (await this.run('release', [this.keys.lease], [leaseValue])) === 1
  }

  async claim(a: ClaimArgs): Promise<ClaimOutcome> {
    const k = this.keys
    const reply = await this.run(
      'claim',
      [k.lease, k.fence, k.slots],
      [a.leaseValue, a.token, a.schedule, a.slotMs, a.state],
    )
    if (reply === 1) return 'claimed'
    if (reply === 0) return 'taken'
    return 'fenced'
  }

  async confirm(schedule: string, slotMs: number): Promise<boolean> {
    return (await this.run('confirm', [this.keys.slots], [schedule, slotMs])) === 1
  }
}
