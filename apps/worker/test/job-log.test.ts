import { Writable } from 'node:stream'
import { ConveyorError } from '@conveyor/queue-core'
import { pino } from 'pino'
import { describe, expect, test } from 'vitest'
import { attachJobLog } from '../src/job-log.js'
import { useHarness, waitForState } from './helpers/harness.js'

describe('job log', () => {
  const h = useHarness()

  function capture() {
    const lines: Record<string, unknown>[] = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>)
        callback()
      },
    })
    return { logger: pino({ level: 'debug' }, stream), lines }
  }

  test('one line per state change: active, completed, retrying, dead', async () => {
    const { logger, lines } = capture()
    const { queue, worker } = h.start({
      email: () => ({ messageId: 'm1' }),
      sms: (job) => {
        if (job.payload.message === 'permanent') throw ConveyorError.permanent('number blocked')
        throw new Error('provider down')
      },
    })
    attachJobLog(worker, logger)
    const ok = await queue.enqueue('email', { to: 'a@example.vn', subject: 's', body: 'b' })
    const retry = await queue.enqueue('sms', { phone: '+84912345678', message: 'retry' })
    const dead = await queue.enqueue('sms', { phone: '+84912345678', message: 'permanent' })
    await waitForState(queue, ok.id, ['completed'])
    await waitForState(queue, retry.id, ['retrying'])
    await waitForState(queue, dead.id, ['dead'])

    const of = (id: string) => lines.filter((l) => l.jobId === id)
    expect(of(ok.id).map((l) => l.state)).toEqual(['active', 'completed'])
    expect(of(ok.id)[1]).toMatchObject({ type: 'email', queue: 'default', attempt: 1 })
    expect(typeof of(ok.id)[1]?.durationMs).toBe('number')

    const retrying = of(retry.id)[1]
    expect(retrying).toMatchObject({
      state: 'retrying',
      type: 'sms',
      attempt: 1,
      error: 'provider down',
      level: 40,
    })
    expect(retrying?.retryInMs).toBeGreaterThan(0)

    expect(of(dead.id)[1]).toMatchObject({
      state: 'dead',
      error: 'number blocked',
      code: 'permanent_failure',
      level: 50,
    })
  })
})
