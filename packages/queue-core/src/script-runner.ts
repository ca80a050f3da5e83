import { TLSSocket } from 'node:tls'
import { Redis } from 'ioredis'
import type { RedisClient } from './connection.js'
import type { ScriptKeys, ScriptName } from './keys.js'
import { toConveyorError } from './redis-errors.js'
import { loadScript, type LoadableScript } from './script-loader.js'

export type ScriptArg = string | number

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT')
}

/**
 * Runs one script on `keys` by EVALSHA, and on a server that does not know it
 * (restarted, flushed) by EVAL once, which also caches it there. Every failure
 * reaches the caller as a ConveyorError (redis-errors.ts).
 */
export async function runScript(
  redis: RedisClient,
  name: LoadableScript,
  keys: readonly string[],
  args: readonly ScriptArg[],
): Promise<unknown> {
  const script = loadScript(name)
  try {
    try {
      return await redis.evalsha(script.sha, keys.length, ...keys, ...args)
    } catch (err) {
      if (!isNoScript(err)) throw err
      return await redis.eval(script.lua, keys.length, ...keys, ...args)
    }
  } catch (err) {
    throw toConveyorError(err)
  }
}

/**
 * Runs a queue's scripts on one connection: by EVALSHA, and on a server that does not
 * know a script (restarted, flushed) by EVAL once, which also caches it there. Every
 * failure reaches the caller as a ConveyorError (redis-errors.ts).
 */
export class ScriptRunner {
  private preloaded = false

  constructor(
    readonly redis: RedisClient,
    readonly keys: ScriptKeys,
  ) {}

  run(name: ScriptName, args: readonly ScriptArg[]): Promise<unknown> {
    return runScript(this.redis, name, this.keys[name], args)
  }

  /**
   * BLPOPs `wait.key` for at most `wait.seconds`, then runs `name`, in one round trip:
   * the script is pipelined behind the BLPOP on this (blocking) connection, and Redis
   * runs it the moment the BLPOP returns, whether by a push or by time.
   */
  async runAfterWait(
    wait: { key: string; seconds: number },
    name: ScriptName,
    args: readonly ScriptArg[],
  ): Promise<unknown> {
    const script = loadScript(name)
    const keys = this.keys[name]
    let replies: [Error | null, unknown][] | null
    try {
      replies = await this.redis
        .pipeline()
        .blpop(wait.key, wait.seconds)
        .evalsha(script.sha, keys.length, ...keys, ...args)
        .exec()
    } catch (err) {
      throw toConveyorError(err)
    }
    const [waited, ran] = replies ?? []
    if (waited?.[0]) throw toConveyorError(waited[0])
    if (isNoScript(ran?.[0])) return this.run(name, args)
    if (ran?.[0]) throw toConveyorError(ran[0])
    return ran?.[1]
  }

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
   * writes on a later tick), not TLS (which may hold encrypted bytes back), nothing
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
}
