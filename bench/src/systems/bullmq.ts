import { Queue, Worker, type ConnectionOptions } from 'bullmq'
import type {
  BenchPayload,
  BenchSystem,
  Consumer,
  ConsumerOptions,
  SystemOptions,
} from './system.js'

const QUEUE = 'bench'

function connection(url: string): ConnectionOptions {
  const u = new URL(url)
  // Workers need maxRetriesPerRequest: null (BullMQ's own requirement for blocking calls).
  return { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null }
}

export const bullmq: BenchSystem = {
  name: 'bullmq',

  async producer(o: SystemOptions) {
    const queue = new Queue<BenchPayload>(QUEUE, { connection: connection(o.url) })
    await queue.waitUntilReady()
    // Retention in BullMQ is a job option: removeOnComplete, else the default keeps them all.
    const opts = o.retain ? {} : { removeOnComplete: true }
    return {
      async addBulk(payloads: readonly BenchPayload[]) {
        await queue.addBulk(payloads.map((data) => ({ name: 'bench', data, opts })))
      },
      async add(payload: BenchPayload) {
        await queue.add('bench', payload, opts)
      },
      async pending() {
        const c = await queue.getJobCounts(
          'wait',
          'active',
          'delayed',
          'prioritized',
          'waiting-children',
        )
        return Object.values(c).reduce((a, b) => a + b, 0)
      },
      close: () => queue.close(),
    }
  },

  async consumer(o: ConsumerOptions): Promise<Consumer> {
    const worker = new Worker<BenchPayload>(
      QUEUE,
      (job) => {
        o.onJob(job.data)
        return Promise.resolve()
      },
      { connection: connection(o.url), concurrency: o.concurrency, autorun: false },
    )
    worker.on('error', (err) => process.stderr.write(`bullmq worker: ${String(err)}\n`))
    await worker.waitUntilReady()
    return {
      start: () => void worker.run(),
      close: () => worker.close(),
    }
  },
}
