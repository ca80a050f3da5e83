import { TLSSocket } from 'node:tls'
import { Redis } from 'ioredis'
import type { RedisClient } from './connection.js'
import type { ScriptKeys, ScriptName } from './keys.js'
import { loadScript } from './script-loader.js'

export interface EnqueueArg {
  id: string
  spec: string
  priority: number
  delay: number
  runAt: number
  idempotencyKey: string
}
export interface EnqueueResult {
  id: string
  /** false when an idempotency key or job id matched a job that already exists */
  created: boolean
}
// Jobs per enqueue script call.
const ENQUEUE_SLICE = 500
export interface Lease {
  id: string
  token: string
}
export interface ReservedRaw {
  id: string
  spec: string | null
  attempts: number
  /** when the job became due, ms on the Redis clock */
  runAt: number
}
export interface ReserveReply {
  now: number
  /** ms until the next scheduled job is due; -1 when none is (or the queue is paused) */
  wait: number
  jobs: ReservedRaw[]
}
export interface AckArg extends Lease {
  result: string
}
export interface FailArg extends Lease {
  error: string
  /** -1 sends the job to dead-letter */
  retryDelay: number
}
export interface Retention {
  /** keep completed (and cancelled) jobs this long; 0 deletes them at once */
  keepMs: number
  /** and no more than this many; 0 = no cap */
  keepCount: number
}

type Arg = string | number

export interface ReserveOptions {
  count: number
  leaseMs: number
  workerId: string
  promoteLimit: number
}

function parseReserve(raw: unknown): ReserveReply {
  const reply = raw as (string | number | null)[]
  const jobs: ReservedRaw[] = []
  for (let i = 2; i < reply.length; i += 4) {
    jobs.push({
      id: String(reply[i]),
      spec: reply[i + 1] as string | null,
      attempts: Number(reply[i + 2]),
      runAt: Number(reply[i + 3]),
    })
  }
  return { now: Number(reply[0]), wait: Number(reply[1]), jobs }
}

/**
 * One typed wrapper per Lua script of one queue. Scripts run by EVALSHA; a server
 * that does not know a script (restarted, flushed) gets it by EVAL once, which also
 * caches it there.
 */
export class QueueScripts {
  private preloaded = false

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ScriptKeys,
    private readonly eventsMaxLen: number,
  ) {}

  /**
   * Loads `names` each time the connection becomes ready, so that an EVALSHA cannot
   * meet NOSCRIPT (and need a second trip) on that connection. Returns a function that
   * stops watching.
   */
  preload(names: readonly ScriptName[]): () => void {
    const redis = this.redis
    if (!(redis instanceof Redis)) return () => undefined
    // Counts connections, so that loads answered after a reconnect do not count.
    let generation = 0
    const load = (): void => {
      const mine = generation
      const loads = names.map((name) => redis.script('LOAD', loadScript(name).lua))
      // Counted only once loaded: a refused SCRIPT LOAD (an ACL without it) leaves
      // EVALSHA to find NOSCRIPT, and the worker then waits for replies as it must.
      Promise.all(loads).then(
        () => void (this.preloaded = mine === generation),
        () => undefined,
      )
    }
    const lost = (): void => {
      generation += 1
      this.preloaded = false
    }
    redis.on('ready', load)
    redis.on('close', lost)
    if (redis.status === 'ready') load()
    return () => {
      redis.off('ready', load)
      redis.off('close', lost)
      lost()
    }
  }

  /**
   * Whether the calls just made are in the operating system's socket buffer, where a
   * SIGKILL of this process no longer loses them (the kernel still sends them). True
   * only when it is certain: a single Redis, connected, without auto-pipelining (which
   * writes on a later tick), not TLS (which may hold encrypted bytes back), and nothing
   * left in Node's own write buffer, and the scripts loaded on this connection (an
   * EVALSHA refused with NOSCRIPT would need a second trip). Checked right after
   * issuing the calls.
   */
  onWire(): boolean {
    const redis = this.redis
    if (!this.preloaded || !(redis instanceof Redis) || redis.status !== 'ready') return false
    if (redis.options.enableAutoPipelining) return false
    const stream = redis.stream as typeof redis.stream | undefined
    return stream !== undefined && !(stream instanceof TLSSocket) && stream.writableLength === 0
  }

  private async run(name: ScriptName, args: Arg[]): Promise<unknown> {
    const script = loadScript(name)
    const keys = this.keys[name]
    try {
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args)
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
      return this.redis.eval(script.lua, keys.length, ...keys, ...args)
    }
  }

  /**
   * Enqueues in slices of ENQUEUE_SLICE jobs, one script call each (sent together), so
   * that no single script holds Redis long. Results come in the order of `jobs`.
   */
  async enqueue(jobs: readonly EnqueueArg[]): Promise<EnqueueResult[]> {
    const slices: Promise<EnqueueResult[]>[] = []
    for (let i = 0; i < jobs.length; i += ENQUEUE_SLICE) {
      slices.push(this.enqueueSlice(jobs.slice(i, i + ENQUEUE_SLICE)))
    }
    return (await Promise.all(slices)).flat()
  }

  private async enqueueSlice(jobs: readonly EnqueueArg[]): Promise<EnqueueResult[]> {
    const args: Arg[] = [this.eventsMaxLen, jobs.length]
    for (const j of jobs) args.push(j.id, j.spec, j.priority, j.delay, j.runAt, j.idempotencyKey)
    const reply = (await this.run('enqueue', args)) as (string | number)[]
    const out: EnqueueResult[] = []
    for (let i = 0; i < reply.length; i += 2) {
      out.push({ id: String(reply[i]), created: reply[i + 1] === 1 })
    }
    return out
  }

  async reserve(o: ReserveOptions): Promise<ReserveReply> {
    return parseReserve(await this.run('reserve', this.reserveArgs(o)))
  }

  /**
   * Blocks on the wake list `wait.key` for at most `wait.seconds`, then reserves, in one round
   * trip: the reserve is pipelined behind the BLPOP on this (blocking) connection, and
   * Redis runs it the moment the BLPOP returns, so a woken worker has its jobs without
   * a second trip. Runs the reserve whether the wait ended by a wake or by time.
   */
  async waitThenReserve(
    wait: { key: string; seconds: number },
    o: ReserveOptions,
  ): Promise<ReserveReply> {
    const script = loadScript('reserve')
    const keys = this.keys.reserve
    const replies = await this.redis
      .pipeline()
      .blpop(wait.key, wait.seconds)
      .evalsha(script.sha, keys.length, ...keys, ...this.reserveArgs(o))
      .exec()
    const [waited, reserved] = replies ?? []
    if (waited?.[0]) throw waited[0]
    const err = reserved?.[0]
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return this.reserve(o)
    if (err) throw err
    return parseReserve(reserved?.[1])
  }

  private reserveArgs(o: ReserveOptions): Arg[] {
    return [o.count, o.leaseMs, o.workerId, this.eventsMaxLen, o.promoteLimit]
  }

  /** Returns the ids whose ack was refused (lease taken over). */
  async ack(jobs: readonly AckArg[], retention: Retention): Promise<string[]> {
    const args: Arg[] = [this.eventsMaxLen, retention.keepMs, retention.keepCount, jobs.length]
    for (const j of jobs) args.push(j.id, j.token, j.result)
    return (await this.run('ack', args)) as string[]
  }

  /** Returns the ids whose failure was refused (lease taken over). */
  async fail(jobs: readonly FailArg[]): Promise<string[]> {
    const args: Arg[] = [this.eventsMaxLen, jobs.length]
    for (const j of jobs) args.push(j.id, j.token, j.error, j.retryDelay)
    return (await this.run('fail', args)) as string[]
  }

  /** Renews the leases; returns the ids that are no longer this owner's. */
  async extend(leaseMs: number, leases: readonly Lease[]): Promise<string[]> {
    const args: Arg[] = [leaseMs]
    for (const l of leases) args.push(l.id, l.token)
    return (await this.run('extend', args)) as string[]
  }

  async progress(lease: Lease, progress: string): Promise<boolean> {
    return (await this.run('progress', [this.eventsMaxLen, lease.id, lease.token, progress])) === 1
  }

  async release(leases: readonly Lease[]): Promise<number> {
    const args: Arg[] = [this.eventsMaxLen]
    for (const l of leases) args.push(l.id, l.token)
    return (await this.run('release', args)) as number
  }

  async recover(o: { maxStalls: number; limit: number; retention: Retention }) {
    const [recovered, dead, trimmed] = (await this.run('recover', [
      o.maxStalls,
      o.limit,
      this.eventsMaxLen,
      o.retention.keepMs,
      o.retention.keepCount,
    ])) as [number, number, number]
    return { recovered, dead, trimmed }
  }

  /** One code per id: 1 requeued, 0 no such job, -1 neither dead nor cancelled. */
  async retryJobs(ids: readonly string[]): Promise<number[]> {
    return (await this.run('retry', [this.eventsMaxLen, 'ids', 0, ...ids])) as number[]
  }

  /** Requeues up to `limit` of the oldest dead jobs; returns how many. */
  async retryDead(limit: number): Promise<number> {
    const [n] = (await this.run('retry', [this.eventsMaxLen, 'dead', limit])) as [number]
    return n
  }

  /** 1 cancelled, 0 no such job, -1 not cancellable (running or finished). */
  async cancel(id: string): Promise<number> {
    return (await this.run('cancel', [this.eventsMaxLen, id])) as number
  }

  /** 1 removed, 0 no such job, -1 running. */
  async remove(id: string): Promise<number> {
    return (await this.run('remove', [this.eventsMaxLen, id])) as number
  }

  async pause(paused: boolean): Promise<void> {
    await this.run('pause', [this.eventsMaxLen, paused ? '1' : '0'])
  }

  async counts(): Promise<number[]> {
    return (await this.run('counts', [])) as number[]
  }
}
