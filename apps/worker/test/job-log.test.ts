import { Writable } from 'node:stream'
import { ConveyorError, Worker } from '@conveyor/queue-core'
import { startRedisServer } from '@conveyor/queue-core/testing'
import { ConditionLog, jobRegistry } from '@conveyor/service-kit'
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
    attachJobLog(worker, { logger, conditions: new ConditionLog(logger) })
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

  test('a Redis outage is one error line while it lasts and one line when it clears', async () => {
    const { logger, lines } = capture()
    const redis = await startRedisServer()
    h.defer(() => redis.stop())
    const conditions = new ConditionLog(logger, 1_000)
    h.defer(() => Promise.resolve(conditions.close()))
    const worker = new Worker({
      connection: redis.url,
      registry: jobRegistry,
      handlers: { sms: () => undefined },
      // A short lease: its heartbeat, rescue and reserve loops all meet the outage often.
      leaseMs: 1_000,
    })
    h.defer(() => worker.close({ timeoutMs: 1_000 }))
    attachJobLog(worker, { logger, conditions })
    let failures = 0
    worker.on('error', () => (failures += 1))
    await waitFor(() => worker.lastHeartbeatAt > 0)
    await redis.kill()
    // Its loops fail again and again while Redis is gone: still the one line.
    await waitFor(() => failures >= 10)
    await redis.restart()
    await waitFor(() => lines.some((l) => l.msg === 'condition cleared: no such error for a while'))
    const errors = lines.filter((l) => l.level === 50)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ condition: 'redis_unavailable', queue: 'default' })
    const cleared = lines.find((l) => l.msg === 'condition cleared: no such error for a while')
    expect(cleared?.errors).toBeGreaterThan(1)
  })
})

async function waitFor(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a log line')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
