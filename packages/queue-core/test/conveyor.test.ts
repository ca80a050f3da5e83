import { afterEach, describe, expect, inject, it } from 'vitest'
import { Conveyor } from '../src/conveyor.js'
import { ConveyorError, isConveyorError } from '../src/errors.js'
import { parseJobId } from '../src/job-id.js'
import { Queue } from '../src/queue.js'
import { deletePrefix, freePort, uniquePrefix } from '../src/testing/index.js'
import { registry } from './support/harness.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

function conveyor(): Conveyor<typeof registry.types> {
  const url = inject('redisUrl')
  const prefix = uniquePrefix('cv')
  const c = new Conveyor({ connection: url, registry, prefix })
  cleanups.push(async () => {
    await c.close()
    await deletePrefix(url, prefix)
  })
  return c
}

async function thrown(work: Promise<unknown>): Promise<unknown> {
  try {
    await work
  } catch (err) {
    return err
  }
  return undefined
}

describe('Conveyor: one producer for every job type', () => {
  it("routes each job type to its registry queue and names the queue in the job's id", async () => {
    const c = conveyor()
    const sms = await c.enqueue('sms', { phone: '+84912345678', message: 'hi' })
    const convert = await c.enqueue('convert', {
      uploadId: 'u1',
      sourceFormat: 'csv',
      targetFormat: 'json',
      filename: 'a.csv',
    })
    expect(parseJobId(sms.id)?.queue).toBe('default')
    expect(parseJobId(convert.id)?.queue).toBe('convert')
    expect((await c.queue('convert').counts()).queued).toBe(1)
    expect((await c.queue('default').counts()).queued).toBe(1)
    expect((await c.getJob(convert.id))?.type).toBe('convert')
  })

  it('finds, cancels, retries and removes a job by its id alone', async () => {
    const c = conveyor()
    const { id } = await c.enqueue('task', { n: 1 })
    expect((await c.find(id))?.queue.name).toBe('default')
    await c.cancel(id)
    expect((await c.getJob(id))?.state).toBe('cancelled')
    await c.retry(id)
    expect((await c.getJob(id))?.state).toBe('queued')
    await c.remove(id)
    expect(await c.getJob(id)).toBeNull()
    const err = await thrown(c.cancel(id))
    expect(isConveyorError(err, 'job_not_found')).toBe(true)
    // An id naming a queue this client does not know is simply not found.
    expect(await c.getJob('nosuchqueue:abc')).toBeNull()
    expect(await c.getJob('no-queue-part')).toBeNull()
  })

  it('checks a bulk across queues before enqueuing any of it', async () => {
    const c = conveyor()
    const err = await thrown(
      c.enqueueBulk(
        [
          { type: 'sms', payload: { phone: '+84912345678', message: 'ok' } },
          { type: 'task', payload: { n: 'not a number' as unknown as number } },
        ],
        '/jobs',
      ),
    )
    expect(isConveyorError(err, 'validation_failed')).toBe(true)
    expect((err as ConveyorError).details[0]?.path).toBe('/jobs/1/payload/n')
    expect((await c.queue('default').counts()).queued).toBe(0)
    const ok = await c.enqueueBulk([
      { type: 'sms', payload: { phone: '+84912345678', message: 'ok' } },
      { type: 'task', payload: { n: 2 } },
    ])
    expect(ok.map((r) => r.created)).toEqual([true, true])
  })
})

describe('Redis outages reach callers as ConveyorError redis_unavailable', () => {
  it('from enqueue, reads and operator calls, never as an ioredis error', async () => {
    const port = await freePort()
    const options = { port, maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true }
    const queue = new Queue({ connection: options, registry })
    const c = new Conveyor({ connection: options, registry })
    cleanups.push(() => queue.close())
    cleanups.push(() => c.close())
    const calls: Promise<unknown>[] = [
      queue.enqueue('task', { n: 1 }),
      queue.getJob('default:x'),
      queue.counts(),
      queue.list('dead'),
      queue.pause(),
      queue.retry('default:x'),
      c.enqueue('task', { n: 1 }),
      c.getJob('default:x'),
    ]
    const errors = await Promise.all(calls.map((call) => thrown(call)))
    for (const err of errors) {
      expect(err).toBeInstanceOf(ConveyorError)
      expect((err as ConveyorError).code).toBe('redis_unavailable')
    }
  })
})
