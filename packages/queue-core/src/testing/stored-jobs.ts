import type { Redis, Cluster } from 'ioredis'
import { DEFAULTS } from '../defaults.js'
import type { QueueKeys } from '../keys.js'
import { decodeRecord } from '../record-codec.js'

/**
 * Writes a job by hand as the enqueue script stores one waiting for its first run (its
 * spec, no record) and puts its local id in the default priority's ready list: for a
 * test that needs a job no producer would write (a poison message, say).
 */
export async function writeQueuedJob(
  redis: Redis | Cluster,
  keys: QueueKeys,
  localId: string,
  spec: string,
): Promise<void> {
  await redis.hset(keys.specs, localId, spec)
  await redis.rpush(keys.ready[DEFAULTS.priority] ?? '', localId)
}

/**
 * The state each job (by local id) is in as stored: its record's, 'queued' for a job
 * with a spec and no record yet, null for no job at all.
 */
export async function readStoredStates(
  redis: Redis | Cluster,
  keys: QueueKeys,
  localIds: readonly string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>()
  for (let i = 0; i < localIds.length; i += 1000) {
    const chunk = localIds.slice(i, i + 1000)
    const [states, specLengths] = await Promise.all([
      redis.hmget(keys.state, ...chunk),
      Promise.all(chunk.map((id) => redis.hstrlen(keys.specs, id))),
    ])
    chunk.forEach((id, j) => {
      const raw = states[j] ?? null
      const rec = raw === null ? null : decodeRecord(raw)
      out.set(id, rec ? rec.state : (specLengths[j] ?? 0) > 0 ? 'queued' : null)
    })
  }
  return out
}
