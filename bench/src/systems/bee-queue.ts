import BeeQueue from 'bee-queue'
import type {
  BenchPayload,
  BenchSystem,
  Consumer,
  ConsumerOptions,
  SystemOptions,
} from './system.js'

const QUEUE = 'bench'

function open(o: SystemOptions, isWorker: boolean): BeeQueue<BenchPayload> {
  // removeOnSuccess: true is the counterpart of removeOnComplete; Bee-Queue's default keeps jobs.
  return new BeeQueue<BenchPayload>(QUEUE, {
    redis: { url: o.url },
    isWorker,
    removeOnSuccess: !o.retain,
  })
}

export const beeQueue: BenchSystem = {
  name: 'bee-queue',

  async producer(o: SystemOptions) {
    const queue = open(o, false)
    await queue.ready()
    return {
      async addBulk(payloads: readonly BenchPayload[]) {
        const failed = await queue.saveAll(payloads.map((p) => queue.createJob(p)))
        if (failed.size > 0) throw new Error(`bee-queue: ${failed.size} jobs not saved`)
      },
      async add(payload: BenchPayload) {
        await queue.createJob(payload).save()
      },
      async pending() {
        const h = await queue.checkHealth()
        return h.waiting + h.active + h.delayed
      },
      close: () => queue.close(10_000),
    }
  },

  async consumer(o: ConsumerOptions): Promise<Consumer> {
    const queue = open(o, true)
    queue.on('error', (err) => process.stderr.write(`bee-queue worker: ${String(err)}\n`))
    await queue.ready()
    return {
      // Bee-Queue starts taking jobs the moment a handler is registered.
      start: () =>
        queue.process(o.concurrency, (job) => {
          o.onJob(job.data)
          return Promise.resolve()
        }),
      close: () => queue.close(10_000),
    }
  },
}
