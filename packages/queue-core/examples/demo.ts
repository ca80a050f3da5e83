/**
 * A tour of the protocol with the seed's three job types: enqueue, run, retry,
 * dead-letter, read back. Uses REDIS_URL, else 127.0.0.1:6379, else a private
 * redis-server it starts (and says so).
 *   pnpm demo
 */
import { Redis } from 'ioredis'
import { builtinJobTypes, ConveyorError, defineJobTypes, Queue, Worker } from '../src/index.js'
import { deletePrefix, startRedisServer, uniquePrefix } from '../src/testing/index.js'

async function redisUrl(): Promise<{ url: string; stop: () => Promise<void> }> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  try {
    await probe.connect()
    await probe.ping()
    return { url, stop: () => Promise.resolve() }
  } catch {
    const server = await startRedisServer()
    console.log(`nothing answered at ${url}; started a private redis-server at ${server.url}`)
    return { url: server.url, stop: () => server.stop() }
  } finally {
    probe.disconnect()
  }
}

const registry = defineJobTypes(builtinJobTypes)
const redis = await redisUrl()
const prefix = uniquePrefix('demo')
const queue = new Queue({ connection: redis.url, registry, prefix })

try {
  await queue.enqueue('email', { to: 'bad address', subject: 'x', body: 'y' })
} catch (err) {
  if (err instanceof ConveyorError)
    console.log(`rejected at enqueue: ${err.code} ${JSON.stringify(err.details)}`)
}

const email = await queue.enqueue('email', {
  to: 'user@example.com',
  subject: 'Nhắc nhở định kỳ',
  body: 'Đây là email nhắc nhở gửi định kỳ mỗi phút.',
})
const sms = await queue.enqueue(
  'sms',
  { phone: '+84912345678', message: 'Thông báo định kỳ' },
  { backoff: { type: 'fixed', delayMs: 100 } },
)
const convert = await queue.enqueue(
  'convert',
  { uploadId: 'u1', sourceFormat: 'csv', targetFormat: 'xlsx', filename: 'a.csv' },
  { backoff: { type: 'fixed', delayMs: 100 } },
)
console.log('enqueued', { email: email.id, sms: sms.id, convert: convert.id }, await queue.counts())

let smsTries = 0
const worker = new Worker({
  connection: redis.url,
  registry,
  prefix,
  concurrency: 4,
  handlers: {
    email: (job) => ({ delivered: job.payload.to }),
    sms: (job) => {
      smsTries += 1
      // Fails twice, then goes through: the retries at work.
      if (smsTries < 3) throw new Error(`provider busy (try ${job.attempt})`)
      return { sent: job.payload.phone }
    },
    convert: (job) => {
      throw ConveyorError.permanent(
        `cannot convert ${job.payload.sourceFormat} to ${job.payload.targetFormat}`,
      )
    },
  },
})
worker.on('completed', (job, result) =>
  console.log(`completed ${job.type} ${job.id} (attempt ${job.attempt})`, result),
)
worker.on('failed', (job, err, { retryDelay }) =>
  console.log(
    `failed ${job.type} ${job.id}: ${err.message}; ${retryDelay === null ? 'dead-lettered' : `retry in ${retryDelay} ms`}`,
  ),
)

for (;;) {
  const c = await queue.counts()
  if (c.completed + c.dead === 3) break
  await new Promise((resolve) => setTimeout(resolve, 50))
}
for (const id of [email.id, sms.id, convert.id]) {
  const job = await queue.getJob(id)
  console.log(
    `${job?.type}: ${job?.state} after ${job?.attempts} attempt(s)`,
    job?.lastError?.message ?? '',
  )
}
await worker.close()
console.log('final counts', await queue.counts())
await deletePrefix(redis.url, prefix)
await queue.close()
await redis.stop()
