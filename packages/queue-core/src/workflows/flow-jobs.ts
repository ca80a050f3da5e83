import { parseJobId } from '../job-id.js'
import { queueKeys } from '../keys.js'
import { decodeRecord } from '../record-codec.js'
import { execPipeline } from '../redis-errors.js'
import type { RedisClient } from '../connection.js'

/** A flow job's stored state: its record's state ('' when it has none) and its result. */
export interface StoredFlowJob {
  state: string
  /** the record is gone and so is the spec: the job was deleted */
  gone: boolean
  result: string | null
}

/**
 * Reads the state of jobs of any queues, by job id: one pipeline of HMGETs per queue,
 * a thousand ids a call.
 */
export async function readFlowJobs(
  store: { redis: RedisClient; prefix: string },
  jobIds: readonly string[],
): Promise<Map<string, StoredFlowJob>> {
  const byQueue = new Map<string, string[]>()
  for (const id of jobIds) {
    const parsed = parseJobId(id)
    if (!parsed) continue
    let list = byQueue.get(parsed.queue)
    if (!list) byQueue.set(parsed.queue, (list = []))
    list.push(parsed.localId)
  }
  const out = new Map<string, StoredFlowJob>()
  await Promise.all(
    [...byQueue].map(async ([queue, ids]) => {
      const k = queueKeys(store.prefix, queue)
      for (let i = 0; i < ids.length; i += 1000) {
        const slice = ids.slice(i, i + 1000)
        const [states, results, specs] = (await execPipeline(
          store.redis
            .pipeline()
            .hmget(k.state, ...slice)
            .hmget(k.results, ...slice)
            .hmget(k.specs, ...slice),
        )) as (string | null)[][]
        slice.forEach((local, j) => {
          const raw = states?.[j] ?? null
          const spec = specs?.[j] ?? null
          out.set(`${queue}:${local}`, {
            // A job with a spec and no record waits in its ready list for its first run.
            state:
              raw === null ? (spec === null ? '' : 'queued') : (decodeRecord(raw)?.state ?? ''),
            gone: raw === null && spec === null,
            result: results?.[j] ?? null,
          })
        })
      }
    }),
  )
  return out
}
