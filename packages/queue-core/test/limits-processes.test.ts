import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServerHandle } from '../src/testing/index.js'
import { harness, until } from './support/harness.js'

/** The limits, enforced across worker processes (test/fixtures/group-worker.ts). */
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const children: ChildProcess[] = []
let server: RedisServerHandle

beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.stop()
})
afterEach(async () => {
  for (const proc of children.splice(0)) {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((resolve) => proc.once('exit', resolve))
      proc.kill('SIGKILL')
      await gone
    }
  }
})

function spawnWorker(fixture: string, env: Record<string, string>): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', `test/fixtures/${fixture}.ts`], {
    cwd: packageDir,
    env: { ...process.env, REDIS_URL: server.url, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  children.push(proc)
  return proc
}

interface Start {
  id: string
  group: string
  n: number
  leasedAt: number
  pid: number
}

describe('limits across worker processes', () => {
  it('per-group concurrency 2 across 3 workers of concurrency 10: a handler never sees 3', async () => {
    const h = harness(server.url)
    const t = (name: string) => `${h.prefix}:test:${name}`
    await h.queue.limits.set({ groups: { concurrency: 2 } })
    const groups = ['g1', 'g2', 'g3']
    const perGroup = 12
    for (let i = 0; i < 3; i += 1) spawnWorker('group-worker', { PREFIX: h.prefix })
    await until(async () => (await h.redis.llen(t('ready'))) === 3, 'three workers', 30_000)
    await h.queue.enqueueBulk(
      groups.flatMap((group) =>
        Array.from({ length: perGroup }, (_, n) => ({
          type: 'task' as const,
          payload: { n, label: 'hold' },
          options: { group },
        })),
      ),
    )
    const left = new Map(groups.map((g) => [g, perGroup]))
    while ([...left.values()].some((n) => n > 0)) {
      // Each round: every group with jobs left runs as many as its limit allows…
      await until(async () => {
        for (const g of groups) {
          const running = Number(await h.redis.get(t(`running:${g}`)))
          if (running !== Math.min(2, left.get(g) ?? 0)) return false
        }
        return true
      }, 'each group at its concurrency')
      // …then one job of each finishes.
      for (const g of groups) {
        if ((left.get(g) ?? 0) === 0) continue
        await h.redis.rpush(t(`release:${g}`), '1')
        left.set(g, (left.get(g) ?? 0) - 1)
      }
    }
    await until(
      async () => (await h.redis.llen(t('done'))) === groups.length * perGroup,
      'all done',
    )
    const seen = (await h.redis.lrange(t('seen'), 0, -1)).map(Number)
    expect(Math.max(...seen)).toBe(2)
    const pids = new Set(
      (await h.redis.lrange(t('starts'), 0, -1)).map((l) => (JSON.parse(l) as Start).pid),
    )
    expect(pids.size).toBeGreaterThan(1)
  }, 60_000)

  it('a queue rate of 50 starts/s over 10 s: at most 50 starts in any window of 1,000 ms', async () => {
    const h = harness(server.url)
    const t = (name: string) => `${h.prefix}:test:${name}`
    const rate = { max: 50, perMs: 1_000 }
    await h.queue.limits.set({ rate })
    const total = 500
    for (let i = 0; i < 3; i += 1) spawnWorker('group-worker', { PREFIX: h.prefix })
    await until(async () => (await h.redis.llen(t('ready'))) === 3, 'three workers', 30_000)
    await h.queue.enqueueBulk(
      Array.from({ length: total }, (_, n) => ({ type: 'task' as const, payload: { n } })),
    )
    await until(async () => (await h.redis.llen(t('done'))) === total, 'all done', 30_000)
    const at = (await h.redis.lrange(t('starts'), 0, -1))
      .map((l) => (JSON.parse(l) as Start).leasedAt)
      .sort((a, b) => a - b)
    // Any window [at[i], at[i] + perMs) holds at most max starts: the (max+1)th start
    // after at[i] comes perMs or more later.
    for (let i = 0; i + rate.max < at.length; i += 1) {
      expect(at[i + rate.max]! - at[i]!).toBeGreaterThanOrEqual(rate.perMs)
    }
    // Nine full windows after the first: the limit held the work back that long.
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(9 * rate.perMs)
  }, 60_000)

  it('a limit changed at run time takes effect within 1 s', async () => {
    const h = harness(server.url)
    const t = (name: string) => `${h.prefix}:test:${name}`
    await h.queue.limits.setGroup('x', { concurrency: 1 })
    await h.queue.limits.set({ rate: { max: 1, perMs: 600_000 } })
    for (let i = 0; i < 3; i += 1) spawnWorker('group-worker', { PREFIX: h.prefix })
    await until(async () => (await h.redis.llen(t('ready'))) === 3, 'three workers', 30_000)
    await h.queue.enqueueBulk(
      Array.from({ length: 6 }, (_, n) => ({
        type: 'task' as const,
        payload: { n, label: 'hold' },
        options: { group: 'x' },
      })),
    )
    await until(async () => (await h.redis.get(t('running:x'))) === '1', 'one job running')
    // The queue rate lets no second job start for ten minutes: lift it.
    await h.queue.limits.clear()
    let changed = Date.now()
    await h.queue.limits.setGroup('x', { concurrency: 3 })
    await until(async () => (await h.redis.get(t('running:x'))) === '3', 'three running', 1_000)
    expect(Date.now() - changed).toBeLessThan(1_000)
    // And back down: no new start while three run, one at a time once they finish.
    changed = Date.now()
    await h.queue.limits.setGroup('x', { concurrency: 1 })
    await h.redis.rpush(t('release:x'), '1', '1', '1')
    await until(async () => (await h.redis.llen(t('done'))) === 3, 'three done')
    await until(async () => (await h.redis.get(t('running:x'))) === '1', 'one running again')
    const seen = (await h.redis.lrange(t('seen'), 0, -1)).map(Number)
    expect(seen.slice(3)).toEqual([1])
    await h.redis.rpush(t('release:x'), '1', '1', '1')
    await until(async () => (await h.redis.llen(t('done'))) === 6, 'all done')
    expect((await h.redis.lrange(t('seen'), 0, -1)).map(Number).slice(3)).toEqual([1, 1, 1])
  }, 60_000)

  it("a worker SIGKILLed while holding a group's slot gives it back within one lease", async () => {
    const h = harness(server.url)
    const leaseMs = 1_000
    const env = { PREFIX: h.prefix, MODE: 'hang', LEASE_MS: String(leaseMs), MAX_STALLS: '0' }
    await h.queue.limits.setGroup('g', { concurrency: 1 })
    const stuck = await h.queue.enqueue('task', { n: 0 }, { group: 'g' })
    const after = await h.queue.enqueueBulk(
      Array.from({ length: 3 }, () => ({
        type: 'sms' as const,
        payload: { phone: '+15550000000', message: 'hi' },
        options: { group: 'g' },
      })),
    )
    const started = async () =>
      (await h.redis.lrange(`${h.prefix}:started`, 0, -1)).map(
        (l) => JSON.parse(l) as { id: string; type: string; at: number },
      )
    const first = spawnWorker('child-worker', env)
    await until(async () => (await started()).some((s) => s.id === stuck.id), 'the task started')
    const second = spawnWorker('child-worker', env)
    // The second worker is up and idle: the group's one slot is held by the task.
    await until(async () => (await h.redis.llen(`${h.prefix}:ready`)) === 2, 'two workers', 30_000)
    expect((await h.queue.limits.groups()).groups).toEqual([{ group: 'g', queued: 3, running: 1 }])
    const killedAt = Date.now()
    first.kill('SIGKILL')
    await until(
      async () => (await started()).filter((s) => s.type === 'sms').length === 3,
      'sms',
      20_000,
    )
    const firstSms = Math.min(...(await started()).filter((s) => s.type === 'sms').map((s) => s.at))
    // One lease, plus the heartbeat on which the survivor rescues expired leases.
    expect(firstSms - killedAt).toBeLessThan(2 * leaseMs + 500)
    expect((await h.queue.getJob(stuck.id))?.state).toBe('dead')
    await until(async () => {
      const jobs = await h.queue.getJobs(after.map((j) => j.id))
      return jobs.every((j) => j === null || j.state === 'completed')
    }, 'sms completed')
    await until(async () => (await h.queue.limits.groups()).groups.length === 0, 'group empty')
    second.kill('SIGTERM')
  }, 60_000)

  it('while 10,000 jobs wait on limits, the workers send fewer than 200 commands per second', async () => {
    const h = harness(server.url)
    const t = (name: string) => `${h.prefix}:test:${name}`
    const commands = async () =>
      Number(/total_commands_processed:(\d+)/.exec(await h.redis.info('stats'))?.[1])
    const idle = async (what: string) => {
      const before = await commands()
      const from = Date.now()
      await new Promise((resolve) => setTimeout(resolve, 3_000))
      const perSecond = ((await commands()) - before) / ((Date.now() - from) / 1000)
      expect(perSecond, what).toBeLessThan(200)
    }
    for (let i = 0; i < 3; i += 1) spawnWorker('group-worker', { PREFIX: h.prefix })
    await until(async () => (await h.redis.llen(t('ready'))) === 3, 'three workers', 30_000)
    // Waiting on the queue rate: one start per ten minutes.
    await h.queue.limits.set({ rate: { max: 1, perMs: 600_000 } })
    const jobs = (label?: string) =>
      Array.from({ length: 10_000 }, (_, n) => ({
        type: 'task' as const,
        payload: label ? { n, label } : { n },
        options: { group: `g${n % 10}` },
      }))
    await h.queue.enqueueBulk(jobs())
    await until(async () => (await h.redis.llen(t('done'))) === 1, 'the one start allowed')
    await idle('waiting on the queue rate')
    // Waiting on group concurrency: once the first 10,000 ran (the rate is lifted), ten
    // jobs run (held), the rest of each group waits.
    await h.queue.limits.set({ groups: { concurrency: 1 } })
    await h.queue.enqueueBulk(jobs('hold'))
    await until(async () => (await h.redis.llen(t('done'))) === 10_000, 'the first 10,000', 60_000)
    await until(async () => (await h.redis.llen(t('starts'))) === 10_010, 'ten held')
    await idle('waiting on group concurrency')
    const seen = (await h.redis.lrange(t('seen'), 0, -1)).map(Number)
    expect(Math.max(...seen)).toBe(1)
  }, 120_000)
})
