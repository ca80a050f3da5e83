import type { RedisClient } from './connection.js'
import type { Retention } from './defaults.js'
import { scriptKeys, STORAGE_FORMAT, type QueueKeys, type ScriptName } from './keys.js'
import { execPipeline } from './redis-errors.js'
import { loadScript } from './script-loader.js'
import { ScriptRunner, type ScriptArg } from './script-runner.js'

/**
 * One typed wrapper per Lua script of one queue: typed arguments in, decoded reply
 * out. Ids here are local ids (job-id.ts): the queue is in every key.
 */
export interface EnqueueArg {
  id: string
  spec: string
  priority: number
  delayMs: number
  runAt: number
  /** the id may exist already (chosen by the caller); a generated one cannot */
  checkId: boolean
  idempotencyKey: string
  /** what the key stands for; '' = any repeat of the key is the same job */
  fingerprint: string
  /** a big spec's metadata without the payload (spec-codec.ts encodeHead), for listings */
  head: string
  /** '' = none (src/limits) */
  group: string
  /** '' = none (lua/includes/dedup.lua) */
  dedupKey: string
  dedupMode: string
  dedupTtlMs: number
}
export interface EnqueueReply {
  id: string
  /** false when an idempotency key or job id matched a job that already exists */
  created: boolean
  /** the key was given before with another fingerprint: refused, nothing written */
  reused: boolean
  /** a dedup key matched a live job (its id is `id`); 'debounced': this job replaced it */
  dedup?: 'matched' | 'debounced'
}
// Jobs per enqueue script call.
const ENQUEUE_SLICE = 500

/**
 * The largest spec (in UTF-16 units, a lower bound of its bytes) that passes through
 * Lua. Lua copies every string it is handed and interns it in one table, which made a
 * 100 KB job cost Redis over a millisecond: bigger specs are written with HSETNX beside
 * the enqueue script and read with HMGET beside reserve, never as script arguments or
 * replies.
 */
export const INLINE_SPEC_BYTES = 8_192

export interface Lease {
  id: string
  token: string
}
export interface ReservedRaw extends Lease {
  /**
   * the spec; a number: its length, too big to come in the reply (the worker reads it
   * from `specs` into a Buffer)
   */
  spec: string | Buffer | number | null
  attempts: number
  /** when the job became due, ms on the Redis clock; 0: at its spec's createdAt */
  runAt: number
}
export interface ReserveReply {
  now: number
  /** ms until the next scheduled job is due; -1 when none is (or the queue is paused) */
  wait: number
  jobs: ReservedRaw[]
}
export interface ReserveOptions {
  count: number
  leaseMs: number
  workerId: string
  promoteLimit: number
  /** stop leasing once the specs add up to this many bytes (0 = no bound) */
  maxBytes: number
}
export interface AckArg extends Lease {
  result: string
}
export interface FailArg extends Lease {
  error: string
  /** -1 sends the job to dead-letter; -2 ends it cancelled */
  retryDelayMs: number
}

function parseReserve(raw: unknown): ReserveReply {
  const reply = raw as (string | number | null)[]
  const jobs: ReservedRaw[] = []
  for (let i = 2; i < reply.length; i += 5) {
    jobs.push({
      id: String(reply[i]),
      token: String(reply[i + 1]),
      spec: reply[i + 2] as string | number | null,
      attempts: Number(reply[i + 3]),
      runAt: Number(reply[i + 4]),
    })
  }
  return { now: Number(reply[0]), wait: Number(reply[1]), jobs }
}

export class QueueScripts {
  readonly runner: ScriptRunner

  constructor(
    redis: RedisClient,
    private readonly keys: QueueKeys,
    private readonly eventsMaxLen: number,
  ) {
    this.runner = new ScriptRunner(redis, scriptKeys(keys))
  }

  private run(name: ScriptName, args: readonly ScriptArg[]): Promise<unknown> {
    return this.runner.run(name, args)
  }

  /**
   * Enqueues in slices of ENQUEUE_SLICE jobs, one script call each (sent together), so
   * that no single script holds Redis long. Replies come in the order of `jobs`.
   */
  async enqueue(jobs: readonly EnqueueArg[]): Promise<EnqueueReply[]> {
    const slices: Promise<EnqueueReply[]>[] = []
    for (let i = 0; i < jobs.length; i += ENQUEUE_SLICE) {
      slices.push(this.enqueueSlice(jobs.slice(i, i + ENQUEUE_SLICE)))
    }
    return (await Promise.all(slices)).flat()
  }

  private async enqueueSlice(jobs: readonly EnqueueArg[]): Promise<EnqueueReply[]> {
    const args: ScriptArg[] = [this.eventsMaxLen, jobs.length]
    const big: EnqueueArg[] = []
    for (const j of jobs) {
      const inline = j.spec.length <= INLINE_SPEC_BYTES
      if (!inline) big.push(j)
      args.push(j.id, inline ? j.spec : '', j.priority, j.delayMs, j.runAt, j.checkId ? '1' : '0')
      args.push(j.idempotencyKey, j.fingerprint, j.group, j.dedupKey, j.dedupMode, j.dedupTtlMs)
    }
    const reply = (
      big.length === 0 ? await this.run('enqueue', args) : await this.enqueueBig(big, args)
    ) as (string | number)[]
    const out: EnqueueReply[] = []
    for (let i = 0; i < reply.length; i += 2) {
      const code = reply[i + 1]
      const r: EnqueueReply = { id: String(reply[i]), created: code === 1, reused: code === -1 }
      if (code === 2) r.dedup = 'matched'
      else if (code === 3) r.dedup = 'debounced'
      out.push(r)
    }
    return out
  }

  /**
   * The big specs written with HSETNX, then the script, in one MULTI: atomic, so a job
   * is never in a list without its spec, nor a spec left behind without its job. EVAL,
   * not EVALSHA: a NOSCRIPT inside the transaction would leave the specs written.
   */
  private async enqueueBig(big: readonly EnqueueArg[], args: ScriptArg[]): Promise<unknown> {
    const keys = this.runner.keys.enqueue
    const multi = this.runner.redis.multi()
    for (const j of big) {
      multi.hsetnx(this.keys.specs, j.id, j.spec)
      multi.hsetnx(this.keys.heads, j.id, j.head)
    }
    multi.eval(loadScript('enqueue').lua, keys.length, ...keys, ...args)
    const replies = await execPipeline(multi)
    return replies[replies.length - 1]
  }

  /**
   * The specs of jobs whose reserve reply left them out (too big for Lua), in order, as
   * Buffers: held outside V8's heap while they wait for a slot, they cost the garbage
   * collector nothing; each becomes a string only to be parsed, once.
   */
  async readSpecs(ids: readonly string[]): Promise<(Buffer | null)[]> {
    const [specs] = await execPipeline(
      this.runner.redis.pipeline().hmgetBuffer(this.keys.specs, ...ids),
    )
    return specs as (Buffer | null)[]
  }

  async reserve(o: ReserveOptions): Promise<ReserveReply> {
    return parseReserve(await this.run('reserve', this.reserveArgs(o)))
  }

  /**
   * Blocks on the wake list for at most `wait.seconds`, then reserves, in one round
   * trip (ScriptRunner.runAfterWait); reserves whether the wait ended by a wake or by time.
   */
  async waitThenReserve(
    wait: { key: string; seconds: number },
    o: ReserveOptions,
  ): Promise<ReserveReply> {
    return parseReserve(await this.runner.runAfterWait(wait, 'reserve', this.reserveArgs(o)))
  }

  private reserveArgs(o: ReserveOptions): ScriptArg[] {
    return [
      o.count,
      o.leaseMs,
      o.workerId,
      this.eventsMaxLen,
      o.promoteLimit,
      o.maxBytes,
      INLINE_SPEC_BYTES,
    ]
  }

  /** Returns the ids whose ack was refused (lease taken over). */
  async ack(jobs: readonly AckArg[], retention: Retention): Promise<string[]> {
    const args: ScriptArg[] = [this.eventsMaxLen, retention.completedMs, jobs.length]
    for (const j of jobs) args.push(j.id, j.token, j.result)
    return (await this.run('ack', args)) as string[]
  }

  /** Returns the ids whose failure was refused (lease taken over). */
  async fail(jobs: readonly FailArg[]): Promise<string[]> {
    const args: ScriptArg[] = [this.eventsMaxLen, jobs.length]
    for (const j of jobs) args.push(j.id, j.token, j.error, j.retryDelayMs)
    return (await this.run('fail', args)) as string[]
  }

  /** Renews the leases; returns the ids that are no longer this owner's. */
  async extend(leaseMs: number, leases: readonly Lease[]): Promise<string[]> {
    const args: ScriptArg[] = [leaseMs]
    for (const l of leases) args.push(l.id, l.token)
    return (await this.run('extend', args)) as string[]
  }

  async progress(lease: Lease, progress: string): Promise<boolean> {
    return (await this.run('progress', [this.eventsMaxLen, lease.id, lease.token, progress])) === 1
  }

  async release(leases: readonly Lease[]): Promise<number> {
    const args: ScriptArg[] = [this.eventsMaxLen]
    for (const l of leases) args.push(l.id, l.token)
    return (await this.run('release', args)) as number
  }

  /** Requeues (or dead-letters) jobs whose lease expired; `more` when it stopped at `limit`. */
  async rescue(o: { maxStalls: number; limit: number }) {
    const [rescued, dead, more] = (await this.run('rescue', [
      o.maxStalls,
      o.limit,
      this.eventsMaxLen,
    ])) as [number, number, number]
    return { rescued, dead, more: more === 1 }
  }

  /** Deletes finished jobs past the retention; `more` when it stopped at `limit`. */
  async trim(retention: Retention, limit: number) {
    const [trimmed, more] = (await this.run('trim', [
      retention.completedMs,
      retention.completedCount,
      limit,
    ])) as [number, number]
    return { trimmed, more: more === 1 }
  }

  /** One code per id (script-codes.ts). */
  async retryJobs(ids: readonly string[]): Promise<number[]> {
    return (await this.run('retry', [this.eventsMaxLen, 'ids', 0, ...ids])) as number[]
  }

  /** Requeues up to `limit` of the oldest dead jobs; returns how many. */
  async retryDead(limit: number): Promise<number> {
    const [n] = (await this.run('retry', [this.eventsMaxLen, 'dead', limit])) as [number]
    return n
  }

  /** A code (script-codes.ts). */
  async cancel(id: string): Promise<number> {
    return (await this.run('cancel', [this.eventsMaxLen, id, this.keys.cancelChannel])) as number
  }

  /** A code (script-codes.ts). */
  async remove(id: string): Promise<number> {
    return (await this.run('remove', [this.eventsMaxLen, id])) as number
  }

  async pause(paused: boolean): Promise<void> {
    await this.run('pause', [this.eventsMaxLen, paused ? '1' : '0'])
  }

  async counts(): Promise<number[]> {
    return (await this.run('counts', [])) as number[]
  }

  /** The Redis clock and the due time of each ready list's head. */
  async oldest(): Promise<{ now: number; dues: number[] }> {
    const [now, ...dues] = (await this.run('oldest', [])) as number[]
    return { now: now ?? 0, dues }
  }

  /**
   * Replaces the queue's limits (`scope` 'queue': rate, groups' concurrency, groups'
   * rate) or one group's override (`scope` 'group': one encoded value), as encoded by
   * limits-codec.ts; '' clears. Returns how many held-back groups take their turn again.
   */
  async setLimits(scope: 'queue' | 'group', group: string, values: readonly string[]) {
    return (await this.run('limits-set', [scope, group, ...values])) as number
  }

  /** Converts these storage v1 jobs; returns how many it did and how many are left. */
  async migrate(ids: readonly string[]): Promise<{ converted: number; left: number }> {
    const [converted, left] = (await this.run('migrate', [STORAGE_FORMAT, ...ids])) as [
      number,
      number,
    ]
    return { converted, left }
  }
}
