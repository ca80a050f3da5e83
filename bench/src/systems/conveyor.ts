import { defineJobTypes, Queue, Worker } from '@conveyor/queue-core'
import Type from 'typebox'
import { sleep } from '../stats.js'
import type {
  BenchPayload,
  BenchSystem,
  Consumer,
  ConsumerOptions,
  SystemOptions,
} from './system.js'

// A job type of its own, validated on enqueue and on read like any user's type.
const registry = defineJobTypes({
  bench: {
    schema: Type.Object({ i: Type.Integer(), t: Type.Number(), pad: Type.Optional(Type.String()) }),
  },
})

// Retention 0 deletes a job's record as it completes: the counterpart of the peers'
// removeOnComplete / removeOnSuccess. Without it the default (1 day) applies.
const noRetention = { completedMs: 0 }
// "Default retention" keeps the default age (1 day) but not the default count cap
// (10,000): the memory scenario measures what each kept record costs, which the cap
// would hide by deleting most of them (BullMQ and Bee-Queue keep every one by default).
const keepAll = { completedCount: 0 }

export const conveyor: BenchSystem = {
  name: 'conveyor',

  producer(o: SystemOptions) {
    const queue = new Queue({
      connection: o.url,
      registry,
      retention: o.retain ? keepAll : noRetention,
    })
    return Promise.resolve({
      async addBulk(payloads: readonly BenchPayload[]) {
        await queue.enqueueBulk(payloads.map((payload) => ({ type: 'bench', payload })))
      },
      async add(payload: BenchPayload) {
        await queue.enqueue('bench', payload)
      },
      async pending() {
        const c = await queue.counts()
        return c.queued + c.active + c.retrying + c.scheduled
      },
      close: () => queue.close(),
    })
  },

  async consumer(o: ConsumerOptions): Promise<Consumer> {
    const worker = new Worker({
      connection: o.url,
      registry,
      concurrency: o.concurrency,
      ...(o.prefetch === undefined ? {} : { prefetch: o.prefetch }),
      retention: o.retain ? keepAll : noRetention,
      autorun: false,
      handlers: {
        bench: (job) => {
          o.onJob(job.payload)
          return Promise.resolve()
        },
      },
    })
    worker.on('error', (err) => process.stderr.write(`conveyor worker: ${String(err)}\n`))
    // The Worker exposes no "connected" promise; loopback connects in well under this.
    await sleep(100)
    return {
      start: () => worker.run(),
      close: () => worker.close({ timeoutMs: 10_000 }),
    }
  },
}
