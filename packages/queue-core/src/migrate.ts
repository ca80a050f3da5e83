import type { RedisClient } from './connection.js'
import type { QueueKeys } from './keys.js'
import { redisCall } from './redis-errors.js'
import type { QueueScripts } from './scripts.js'

export interface MigrationReport {
  queue: string
  /** storage v1 jobs converted by this run */
  converted: number
  /** v1 ids written to the index (those converted, and those converted earlier on first touch) */
  indexed: number
  /** v1 jobs still unconverted: 0 once the queue is done */
  left: number
}

const BATCH = 500

/**
 * Converts one queue's storage v1 jobs to v2 and indexes their ids, so that an id
 * issued before ids named their queue still finds it. Safe to run at any time, as often
 * as you like, beside running services: each step is atomic or idempotent, and the
 * order (index an id, then convert it) means a crash between steps leaves nothing
 * unfindable. Jobs that scripts converted on first touch (noted in `adopted`) are
 * indexed too.
 */
export async function migrateQueue(o: {
  redis: RedisClient
  keys: QueueKeys
  scripts: QueueScripts
  queue: string
  indexKey: string
}): Promise<MigrationReport> {
  const { redis, keys, scripts } = o
  const report: MigrationReport = { queue: o.queue, converted: 0, indexed: 0, left: 0 }
  let cursor = '0'
  do {
    const [next, flat] = await redisCall(redis.hscan(keys.legacy, cursor, 'COUNT', BATCH))
    cursor = next
    const ids = flat.filter((_, i) => i % 2 === 0)
    if (ids.length > 0) {
      await index(redis, o.indexKey, o.queue, ids)
      report.indexed += ids.length
    }
    const { converted, left } = await scripts.migrate(ids)
    report.converted += converted
    report.left = left
  } while (cursor !== '0')
  for (;;) {
    const adopted = await redisCall(redis.srandmember(keys.adopted, BATCH))
    if (adopted.length === 0) break
    await index(redis, o.indexKey, o.queue, adopted)
    await redisCall(redis.srem(keys.adopted, ...adopted))
    report.indexed += adopted.length
  }
  return report
}

async function index(redis: RedisClient, key: string, queue: string, ids: string[]) {
  const fields: string[] = []
  for (const id of ids) fields.push(id, queue)
  await redisCall(redis.hset(key, ...fields))
}
