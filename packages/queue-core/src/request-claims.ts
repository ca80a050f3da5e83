import type { RedisClient } from './connection.js'
import { idempotentRequestKey } from './keys.js'
import { runScript } from './script-runner.js'

export type ClaimOutcome =
  | { outcome: 'run' }
  | { outcome: 'done'; answer: string }
  | { outcome: 'reused' }
  | { outcome: 'busy' }

/**
 * The Idempotency-Keys of API requests that are not one enqueue (a flow, a batch):
 * a request claims its key, runs, then stores its answer for retries to replay, or
 * gives the key back if it failed. `key` is the hashed, API-key-scoped header.
 * One typed wrapper per script (lua/request-*.lua); the record's name is keys.ts's.
 */
export class RequestClaims {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async claim(
    key: string,
    o: { fingerprint: string; token: string; leaseMs: number; keepMs: number },
  ): Promise<ClaimOutcome> {
    const record = [idempotentRequestKey(this.prefix, key)]
    const args = [o.fingerprint, o.leaseMs, o.keepMs, o.token]
    const [outcome, answer] = (await runScript(this.redis, 'request-claim', record, args)) as [
      string,
      string?,
    ]
    if (outcome === 'done') return { outcome, answer: answer ?? 'null' }
    if (outcome === 'run' || outcome === 'reused' || outcome === 'busy') return { outcome }
    throw new Error(`request-claim answered "${outcome}"`)
  }

  /** Whether the answer was stored: not when another claim took the key meanwhile. */
  async done(key: string, o: { token: string; answer: string; keepMs: number }): Promise<boolean> {
    const record = [idempotentRequestKey(this.prefix, key)]
    const args = [o.token, o.answer, o.keepMs]
    return (await runScript(this.redis, 'request-done', record, args)) === 1
  }

  /** `free` forgets the key; `failed` keeps its fingerprint (the request may have done part). */
  async release(key: string, o: { token: string; mode: 'free' | 'failed' }): Promise<boolean> {
    const record = [idempotentRequestKey(this.prefix, key)]
    return (await runScript(this.redis, 'request-release', record, [o.token, o.mode])) === 1
  }
}
