import { describe, expect, it } from 'vitest'
import { ConveyorError, type FieldIssue } from '../src/index.js'
import { harness, until } from './support/harness.js'

async function rejection(promise: Promise<unknown>): Promise<ConveyorError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConveyorError)
  return err as ConveyorError
}

const paths = (issues: FieldIssue[]) => issues.map((i) => i.path)

describe('validation at enqueue', () => {
  it('names the bad field of an email and enqueues nothing', async () => {
    const h = harness()
    const err = await rejection(
      h.queue.enqueue('email', { to: 'not-an-address', subject: 'Hi', body: 'x' }),
    )
    expect(err.code).toBe('validation_failed')
    expect(paths(err.details)).toEqual(['/payload/to'])
    expect(err.message).toContain('/payload/to')
    expect((await h.queue.counts()).queued).toBe(0)
  })

  it('reports missing and extra fields by name', async () => {
    const h = harness()
    const err = await rejection(
      h.queue.enqueue('sms', { phone: '+84912345678', extra: 1 } as never),
    )
    expect(paths(err.details).sort()).toEqual(['/payload/extra', '/payload/message'])
  })

  it('checks E.164 phones and the 1-1600 character message, counting emoji as characters', async () => {
    const h = harness()
    expect(
      paths(
        (await rejection(h.queue.enqueue('sms', { phone: '0912345678', message: 'x' }))).details,
      ),
    ).toEqual(['/payload/phone'])
    expect(
      paths(
        (await rejection(h.queue.enqueue('sms', { phone: '+84912345678', message: '' }))).details,
      ),
    ).toEqual(['/payload/message'])
    const tooLong = 'a'.repeat(1601)
    await rejection(h.queue.enqueue('sms', { phone: '+84912345678', message: tooLong }))
    // 1,600 emoji are 3,200 UTF-16 units, yet 1,600 characters: accepted.
    const { id } = await h.queue.enqueue('sms', {
      phone: '+84912345678',
      message: '😀'.repeat(1600),
    })
    expect((await h.queue.getJob(id))?.payload).toEqual({
      phone: '+84912345678',
      message: '😀'.repeat(1600),
    })
  })

  it('keeps Vietnamese text and emoji intact through Redis', async () => {
    const h = harness()
    const message = 'Thông báo định kỳ: Đây là tin nhắn 🚀 Nhắc nhở'
    const { id } = await h.queue.enqueue('sms', { phone: '+84912345678', message })
    let seen = ''
    h.worker({ handlers: { sms: (job) => void (seen = job.payload.message) } })
    await until(async () => (await h.queue.getJob(id))?.state === 'completed', 'sms to complete')
    expect(seen).toBe(message)
  })

  it('rejects an unknown job type naming /type', async () => {
    const h = harness()
    const err = await rejection(h.queue.enqueue('fax' as never, {} as never))
    expect(err.code).toBe('unknown_job_type')
    expect(paths(err.details)).toEqual(['/type'])
  })

  it('checks enqueue options', async () => {
    const h = harness()
    const err = await rejection(h.queue.enqueue('task', { n: 1 }, { priority: 12, maxAttempts: 0 }))
    expect(paths(err.details).sort()).toEqual(['/options/maxAttempts', '/options/priority'])
  })

  it('validates a whole bulk before enqueueing any of it', async () => {
    const h = harness()
    const jobs = Array.from({ length: 10 }, (_, n) => ({ type: 'task' as const, payload: { n } }))
    const bad = [...jobs, { type: 'email' as const, payload: { to: 'x', subject: 's', body: 'b' } }]
    const err = await rejection(h.queue.enqueueBulk(bad))
    expect(paths(err.details)).toEqual(['/10/payload/to'])
    expect((await h.queue.counts()).queued).toBe(0)
    const ok = await h.queue.enqueueBulk(jobs)
    expect(ok).toHaveLength(10)
    expect(new Set(ok.map((r) => r.id)).size).toBe(10)
    expect((await h.queue.counts()).queued).toBe(10)
  })
})
