import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServerHandle } from '../src/testing/index.js'
import { harness, until } from './support/harness.js'

let server: RedisServerHandle
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.stop()
})

const fast = { type: 'fixed', delayMs: 10 } as const

describe('groups', () => {
  it('serves ready groups in turn: a small group is not held back by a big one', async () => {
    const h = harness(server.url)
    const big = Array.from({ length: 20_000 }, (_, n) => ({
      type: 'task' as const,
      payload: { n },
      options: { group: 'A' },
    }))
    for (let i = 0; i < big.length; i += 5_000) await h.queue.enqueueBulk(big.slice(i, i + 5_000))
    const done = { A: 0, B: 0 }
    h.worker({
      concurrency: 10,
      handlers: {
        task: (job) => {
          done[job.group as 'A' | 'B'] += 1
        },
      },
    })
    await until(() => done.A >= 200, 'group A under way')
    await h.queue.enqueueBulk(
      Array.from({ length: 100 }, (_, n) => ({
        type: 'task' as const,
        payload: { n },
        options: { group: 'B' },
      })),
    )
    const aBefore = done.A
    await until(() => done.B === 100, "group B's jobs", 30_000)
    expect(done.A - aBefore).toBeLessThan(1_000)
    expect(done.A).toBeLessThan(20_000)
  }, 60_000)

  it('runs a group of concurrency 1 in enqueue order, retries included, and moves on past a dead job', async () => {
    const h = harness(server.url)
    await h.queue.limits.setGroup('k', { concurrency: 1 })
    const starts: string[] = []
    let running = 0
    let most = 0
    h.worker({
      concurrency: 8,
      handlers: {
        task: async (job) => {
          running += 1
          most = Math.max(most, running)
          starts.push(`${job.payload.n}.${job.attempt}`)
          // Lets the event loop run: another job of the group could start meanwhile.
          await new Promise((resolve) => setImmediate(resolve))
          running -= 1
          if (job.payload.n === 3 && job.attempt < 3) throw new Error('flaky')
          if (job.payload.n === 6) throw new Error('always')
        },
      },
    })
    for (let n = 0; n < 10; n += 1) {
      await h.queue.enqueue(
        'task',
        { n },
        { group: 'k', backoff: fast, maxAttempts: n === 6 ? 2 : 4 },
      )
    }
    await until(() => starts.length === 13, 'every attempt')
    expect(starts).toEqual([
      '0.1',
      '1.1',
      '2.1',
      '3.1',
      '3.2',
      '3.3',
      '4.1',
      '5.1',
      '6.1',
      '6.2',
      '7.1',
      '8.1',
      '9.1',
    ])
    expect(most).toBe(1)
    await until(async () => (await h.queue.limits.groups()).groups.length === 0, 'group forgotten')
  })

  it('keeps priorities within a group', async () => {
    const h = harness(server.url)
    await h.queue.limits.setGroup('p', { concurrency: 1 })
    for (const [n, priority] of [
      [1, 5],
      [2, 9],
      [3, 0],
      [4, 5],
    ] as const) {
      await h.queue.enqueue('task', { n }, { group: 'p', priority })
    }
    const order: number[] = []
    h.worker({ concurrency: 4, handlers: { task: (job) => void order.push(job.payload.n) } })
    await until(() => order.length === 4, 'all four')
    expect(order).toEqual([3, 1, 4, 2])
  })

  it('lists groups with their queued and running counts, a page at a time', async () => {
    const h = harness(server.url)
    for (const g of ['a', 'b', 'c', 'd', 'e']) {
      await h.queue.enqueue('task', { n: 1 }, { group: g })
      await h.queue.enqueue('task', { n: 2 }, { group: g })
    }
    const first = await h.queue.limits.groups({ limit: 2 })
    expect(first.groups).toEqual([
      { group: 'a', queued: 2, running: 0 },
      { group: 'b', queued: 2, running: 0 },
    ])
    const second = await h.queue.limits.groups({ limit: 2, cursor: first.cursor ?? '' })
    expect(second.groups.map((g) => g.group)).toEqual(['c', 'd'])
    const last = await h.queue.limits.groups({ limit: 2, cursor: second.cursor ?? '' })
    expect(last).toEqual({ groups: [{ group: 'e', queued: 2, running: 0 }], cursor: null })
    const whole = await h.queue.limits.groups({ limit: 5 })
    expect(whole.groups.map((g) => g.group)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(whole.cursor).toBeNull()
    const fullLast = await h.queue.limits.groups({ limit: 3, cursor: 'b' })
    expect(fullLast).toMatchObject({ cursor: null })
    expect(fullLast.groups.map((g) => g.group)).toEqual(['c', 'd', 'e'])
  })

  it('stores limits, replaces them as a whole and refuses bad ones naming the field', async () => {
    const h = harness(server.url)
    const l = h.queue.limits
    expect(await l.get()).toEqual({})
    await l.set({ rate: { max: 5, perMs: 1000 }, groups: { concurrency: 2 } })
    expect(await l.get()).toEqual({ rate: { max: 5, perMs: 1000 }, groups: { concurrency: 2 } })
    await l.set({ groups: { rate: { max: 1, perMs: 10 } } })
    expect(await l.get()).toEqual({ groups: { rate: { max: 1, perMs: 10 } } })
    await expect(l.set({ rate: { max: 5, perMs: 0 } })).rejects.toMatchObject({
      code: 'validation_failed',
      details: [expect.objectContaining({ path: '/rate/perMs' })],
    })
    await expect(l.set({ groups: { concurrency: 1.5 } })).rejects.toMatchObject({
      details: [expect.objectContaining({ path: '/groups/concurrency' })],
    })
    expect(await l.get()).toEqual({ groups: { rate: { max: 1, perMs: 10 } } })
    expect(await l.getGroup('x')).toBeNull()
    expect(await l.setGroup('x', { concurrency: 3 })).toEqual({ concurrency: 3 })
    await l.clearGroup('x')
    expect(await l.getGroup('x')).toBeNull()
    await l.clear()
    expect(await l.get()).toEqual({})
  })

  it('shows the group of a job and the limit a queued job waits on', async () => {
    const h = harness(server.url)
    await h.queue.limits.set({ groups: { concurrency: 1 } })
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const ran: number[] = []
    h.worker({
      concurrency: 4,
      handlers: {
        task: async (job) => {
          ran.push(job.payload.n)
          if (job.payload.n === 1) await held
        },
      },
    })
    const first = await h.queue.enqueue('task', { n: 1 }, { group: 'tenant-1' })
    await until(() => ran.length === 1, 'the first job running')
    const second = await h.queue.enqueue('task', { n: 2 }, { group: 'tenant-1' })
    await until(
      async () => (await h.queue.getJob(second.id))?.waitingOn === 'group_concurrency',
      'the second job held back',
    )
    expect(await h.queue.getJob(first.id)).toMatchObject({ group: 'tenant-1', state: 'active' })
    expect((await h.queue.getJob(first.id))?.waitingOn).toBeUndefined()
    await h.queue.limits.set({ rate: { max: 1, perMs: 600_000 } })
    release()
    await until(async () => (await h.queue.getJob(second.id))?.state === 'completed', 'second')
    const third = await h.queue.enqueue('task', { n: 3 })
    await until(
      async () => (await h.queue.getJob(third.id))?.waitingOn === 'queue_rate',
      'the third job held back by the queue rate',
    )
    expect(ran).toEqual([1, 2])
  })

  it('cancel and remove of a grouped job keep its group right: a retrying job gives its slot back', async () => {
    const h = harness(server.url)
    await h.queue.limits.set({ groups: { concurrency: 1 } })
    const ran: number[] = []
    const handlers = {
      task: (job: { payload: { n: number } }) => {
        ran.push(job.payload.n)
        if (job.payload.n < 2) throw new Error('later')
      },
    }
    const worker = h.worker({ concurrency: 4, handlers })
    const slow = { type: 'fixed', delayMs: 600_000 } as const
    const a = await h.queue.enqueue('task', { n: 0 }, { group: 'g', backoff: slow })
    const b = await h.queue.enqueue('task', { n: 1 }, { group: 'g', backoff: slow })
    const c = await h.queue.enqueue('task', { n: 2 }, { group: 'g' })
    const d = await h.queue.enqueue('task', { n: 3 }, { group: 'g' })
    await until(async () => (await h.queue.getJob(a.id))?.state === 'retrying', 'a retrying')
    // a holds the slot through its retry: b, c and d wait.
    expect((await h.queue.limits.groups()).groups).toEqual([{ group: 'g', queued: 3, running: 1 }])
    await h.queue.cancel(c.id)
    await h.queue.cancel(a.id)
    await until(async () => (await h.queue.getJob(b.id))?.state === 'retrying', 'b retrying')
    await h.queue.remove(b.id)
    await until(async () => (await h.queue.getJob(d.id))?.state === 'completed', 'd completed')
    expect(ran).toEqual([0, 1, 3])
    await until(async () => (await h.queue.limits.groups()).groups.length === 0, 'group empty')
    // Put back by an operator, a cancelled grouped job runs in its group again.
    await worker.close()
    await h.queue.retry(c.id)
    expect((await h.queue.limits.groups()).groups).toEqual([{ group: 'g', queued: 1, running: 0 }])
    h.worker({ concurrency: 4, handlers })
    await until(async () => (await h.queue.getJob(c.id))?.state === 'completed', 'c completed')
    expect(ran).toEqual([0, 1, 3, 2])
  })

  it('counts the queued jobs held back by each kind of group limit', async () => {
    const h = harness(server.url)
    await h.queue.limits.set({ groups: { concurrency: 1 } })
    await h.queue.limits.setGroup('r', { rate: { max: 1, perMs: 600_000 } })
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    let started = 0
    h.worker({
      concurrency: 8,
      handlers: {
        task: async (job) => {
          started += 1
          if (job.group !== 'r') await held
        },
      },
    })
    const put = (group: string, n: number) =>
      h.queue.enqueueBulk(
        Array.from({ length: n }, (_, i) => ({
          type: 'task' as const,
          payload: { n: i },
          options: { group },
        })),
      )
    await put('a', 5)
    await put('b', 3)
    await put('r', 4)
    await until(async () => {
      const w = await h.queue.limits.waiting()
      return started === 3 && w.groupConcurrency === 2 && w.groupRate === 1
    }, 'a, b and r each running one job and held back')
    expect(await h.queue.limits.waiting()).toMatchObject({
      jobsOnGroupConcurrency: 4 + 2,
      jobsOnGroupRate: 3,
    })
    // Jobs joining or leaving a held group count at once.
    const [extra] = await put('a', 2)
    await h.queue.cancel(extra?.id ?? '')
    expect((await h.queue.limits.waiting()).jobsOnGroupConcurrency).toBe(4 + 2 + 1)
    release()
    await until(async () => (await h.queue.counts()).completed === 5 + 3 + 1 + 1, 'a and b done')
    expect(await h.queue.limits.waiting()).toMatchObject({
      groupConcurrency: 0,
      jobsOnGroupConcurrency: 0,
      jobsOnGroupRate: 3,
    })
    // A change of limits lets every group take its turn again: r is held anew.
    await h.queue.limits.set({})
    await until(async () => (await h.queue.limits.waiting()).groupRate === 1, 'r held back again')
    expect((await h.queue.limits.waiting()).jobsOnGroupRate).toBe(3)
  })
})
