import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { harness, until } from './support/harness.js'

/** The issue asks for 20 local loops before calling crash recovery done: CRASH_LOOPS=20. */
const LOOPS = Number(process.env.CRASH_LOOPS ?? 1)
const LEASE_MS = 1_000
const packageDir = fileURLToPath(new URL('..', import.meta.url))

interface Started {
  id: string
  type: string
  attempt: number
  pid: number
  at: number
}

interface Child {
  proc: ChildProcess
  pid: number
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  output(): string
}

const children: ChildProcess[] = []

afterEach(async () => {
  // A failed test must not leave a worker process behind.
  for (const proc of children.splice(0)) {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((resolve) => proc.once('exit', resolve))
      proc.kill('SIGKILL')
      await gone
    }
  }
})

function spawnChild(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/child-worker.ts'], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(proc)
  let output = ''
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000))
  proc.stdout?.on('data', collect)
  proc.stderr?.on('data', collect)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  )
  if (proc.pid === undefined) throw new Error('child worker could not be spawned')
  return { proc, pid: proc.pid, exited, output: () => output }
}

async function startsOf(h: ReturnType<typeof harness>): Promise<Started[]> {
  const lines = await h.redis.lrange(`${h.prefix}:started`, 0, -1)
  return lines.map((line) => JSON.parse(line) as Started)
}

/** How many `completed` entries of the events stream (which holds local ids) name the job. */
async function completedEvents(h: ReturnType<typeof harness>, id: string): Promise<number> {
  const entries = await h.redis.xrange(h.queue.keys.events, '-', '+')
  return entries.filter(([, fields]) => {
    const event = fields[fields.indexOf('event') + 1]
    const ids = fields[fields.indexOf('ids') + 1]?.split(',') ?? []
    return event === 'completed' && ids.includes(h.queue.localId(id))
  }).length
}

describe('crash recovery with a real worker process', () => {
  it(
    `recovers a job whose worker was SIGKILLed mid-job (${LOOPS} loop(s))`,
    { timeout: 30_000 + LOOPS * 15_000 },
    async () => {
      for (let loop = 0; loop < LOOPS; loop++) {
        const h = harness()
        const { id } = await h.queue.enqueue('task', { n: loop })
        const child = spawnChild({
          REDIS_URL: h.url,
          PREFIX: h.prefix,
          LEASE_MS: String(LEASE_MS),
          MODE: 'hang',
        })
        try {
          await until(
            async () => (await startsOf(h)).length > 0,
            'the child to start the job',
            20_000,
          )
        } catch (err) {
          throw new Error(`loop ${loop}: ${(err as Error).message}\n${child.output()}`)
        }
        const [start] = await startsOf(h)
        expect(start).toMatchObject({ id, attempt: 1, pid: child.pid })
        const running = await h.queue.getJob(id)
        expect(running).toMatchObject({ state: 'active', attempts: 1, stalls: 0 })
        const firstStartedAt = running?.startedAt ?? 0
        expect(firstStartedAt).toBeGreaterThan(0)

        child.proc.kill('SIGKILL')
        expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' })
        // The child can renew no more: this is the deadline its lease finally has.
        const deadline = Number(await h.redis.zscore(h.queue.keys.leases, h.queue.localId(id)))
        expect(deadline).toBeGreaterThanOrEqual(firstStartedAt + LEASE_MS)
        expect((await h.queue.getJob(id))?.state).toBe('active')

        const calls: { attempt: number }[] = []
        const w = h.worker({
          leaseMs: LEASE_MS,
          handlers: {
            task: (job) => {
              calls.push({ attempt: job.attempt })
              return { by: 'second worker', n: job.payload.n }
            },
          },
        })
        await until(
          async () => (await h.queue.getJob(id))?.state === 'completed',
          `loop ${loop}: the job to complete on the second worker`,
          LEASE_MS * 10,
        )
        await w.close()

        const job = await h.queue.getJob(id)
        expect(job).toMatchObject({
          state: 'completed',
          attempts: 2,
          stalls: 1,
          result: { by: 'second worker', n: loop },
        })
        // Back in the queue no earlier than the lease allowed: the second attempt
        // started (server clock) at or after the dead worker's lease deadline.
        expect(job?.startedAt ?? 0).toBeGreaterThanOrEqual(deadline)
        expect(calls).toEqual([{ attempt: 2 }])
        expect(await startsOf(h)).toHaveLength(1)
        expect(await completedEvents(h, id)).toBe(1)
        expect(await h.queue.counts()).toMatchObject({ queued: 0, active: 0, completed: 1 })
      }
    },
  )

  it('dead-letters a job whose handler keeps crashing its process, while other jobs run', async () => {
    const h = harness()
    const maxStalls = 1
    const poison = await h.queue.enqueue('task', { n: 1, label: 'crash' })
    const other = await h.queue.enqueue('sms', { phone: '+15550100', message: 'hello' })
    const env = {
      REDIS_URL: h.url,
      PREFIX: h.prefix,
      LEASE_MS: '600',
      MAX_STALLS: String(maxStalls),
      MODE: 'exit',
    }
    const isDead = async () => (await h.queue.getJob(poison.id))?.state === 'dead'

    // A supervisor's loop: start a worker process, restart it each time it crashes.
    const crashes: { code: number | null; signal: NodeJS.Signals | null }[] = []
    let last: Child | undefined
    for (let i = 0; i < 6 && !(await isDead()); i++) {
      last = spawnChild(env)
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
      void last.exited.then((e) => (exit = e))
      await until(async () => exit !== undefined || (await isDead()), 'a crash or the dead-letter')
      if (exit) crashes.push(exit)
    }
    expect(await isDead()).toBe(true)
    // The survivor shuts down gracefully.
    if (last && last.proc.exitCode === null && last.proc.signalCode === null) {
      last.proc.kill('SIGTERM')
      expect(await last.exited).toEqual({ code: 0, signal: null })
    }

    // It crashed its process once per attempt: the first run and one allowed stall.
    expect(crashes).toEqual([
      { code: 1, signal: null },
      { code: 1, signal: null },
    ])
    const starts = await startsOf(h)
    expect(starts.filter((s) => s.id === poison.id).map((s) => s.attempt)).toEqual([1, 2])
    const dead = await h.queue.getJob(poison.id)
    expect(dead).toMatchObject({ state: 'dead', attempts: 2, stalls: maxStalls + 1 })
    expect(dead?.lastError).toMatchObject({ code: 'stalled', attempt: 2 })
    expect(dead?.progress).toEqual({ step: 'about to crash' })

    const done = await h.queue.getJob(other.id)
    expect(done).toMatchObject({ state: 'completed', attempts: 1, stalls: 0 })
    expect(starts.filter((s) => s.id === other.id)).toHaveLength(1)
    expect(done?.result).toEqual({ sentBy: starts.find((s) => s.id === other.id)?.pid })
    expect(await h.queue.counts()).toMatchObject({ queued: 0, active: 0, dead: 1, completed: 1 })
  })
})
