import { Redis } from 'ioredis'
import type {
  BenchPayload,
  BenchSystem,
  Consumer,
  ConsumerOptions,
  SystemOptions,
} from './system.js'

const KEY = 'naive:queue'

/**
 * The floor: LPUSH a JSON payload, BRPOP it. No ack, no lease, no retry, no record,
 * no events: a crashed consumer loses the job. Only a reference point.
 */
export const naive: BenchSystem = {
  name: 'naive',

  async producer(o: SystemOptions) {
    const redis = new Redis(o.url)
    await redis.ping()
    return {
      async addBulk(payloads: readonly BenchPayload[]) {
        const pipe = redis.pipeline()
        for (const p of payloads) pipe.lpush(KEY, JSON.stringify(p))
        await pipe.exec()
      },
      async add(payload: BenchPayload) {
        await redis.lpush(KEY, JSON.stringify(payload))
      },
      pending: () => redis.llen(KEY),
      async close() {
        await redis.quit()
      },
    }
  },

  async consumer(o: ConsumerOptions): Promise<Consumer> {
    // One connection with `concurrency` BRPOPs in flight: they queue on the connection,
    // which pipelines them while the list is non-empty.
    const redis = new Redis(o.url, { maxRetriesPerRequest: null })
    await redis.ping()
    let running = true
    const loops: Promise<void>[] = []
    const loop = async (): Promise<void> => {
      while (running) {
        const reply = await redis.brpop(KEY, 1).catch(() => null)
        if (reply && running) o.onJob(JSON.parse(reply[1]) as BenchPayload)
      }
    }
    return {
      start() {
        for (let i = 0; i < o.concurrency; i++) loops.push(loop())
      },
      async close() {
        running = false
        // BRPOPs blocked on an empty list would hold close() for their timeout.
        redis.disconnect()
        await Promise.all(loops)
      },
    }
  },
}
