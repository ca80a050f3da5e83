/**
 * Handlers that once crashed a worker process (an unhandled rejection, exit 1), run in a
 * real child process: an un-awaited progress() whose value JSON cannot hold, a thenable
 * whose then() throws or rejects with a plain object, a thrown plain object. The process
 * must stay up, each job must end with a clear outcome, and the next job must run there.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { harness, until } from './support/harness.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
let child: ChildProcess | undefined

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child?.once('exit', resolve))
    child.kill('SIGKILL')
    await gone
  }
})

it('survives every hostile handler in one process, each job ending with a clear outcome', async () => {
  const h = harness()
  const labels = ['progress-bigint', 'thenable-throws', 'thenable-rejects', 'throws-object']
  const ids: Record<string, string> = {}
  for (const [n, label] of labels.entries()) {
    ids[label] = (await h.queue.enqueue('task', { n, label }, { maxAttempts: 1 })).id
  }
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/child-worker.ts'], {
    cwd: packageDir,
    env: { ...process.env, REDIS_URL: h.url, PREFIX: h.prefix, MODE: 'hostile' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child = proc
  let output = ''
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000))
  proc.stdout?.on('data', collect)
  proc.stderr?.on('data', collect)

  const finished = async (id: string) => {
    const state = (await h.queue.getJob(id))?.state
    return state === 'completed' || state === 'dead'
  }
  try {
    for (const id of Object.values(ids)) await until(() => finished(id), `job ${id}`, 20_000)
  } catch (err) {
    throw new Error(`${(err as Error).message}\nchild output:\n${output}`)
  }
  // Still the same live process: it runs the next job too.
  expect({ code: proc.exitCode, signal: proc.signalCode }).toEqual({ code: null, signal: null })
  const after = await h.queue.enqueue('sms', { phone: '+84912345678', message: 'still up' })
  await until(async () => (await h.queue.getJob(after.id))?.state === 'completed', 'the next job')
  expect((await h.queue.getJob(after.id))?.result).toEqual({ sentBy: proc.pid })

  const job = (label: string) => h.queue.getJob(ids[label] ?? '')
  expect(await job('progress-bigint')).toMatchObject({ state: 'completed', result: { done: true } })
  expect(await job('thenable-throws')).toMatchObject({
    state: 'dead',
    lastError: { message: 'then() exploded' },
  })
  expect((await job('thenable-rejects'))?.lastError?.message).toBe(
    '{"code":"E_THENABLE","detail":42}',
  )
  expect((await job('throws-object'))?.lastError?.message).toBe(
    '{"code":42,"reason":"plain object"}',
  )
  expect(output).not.toMatch(/unhandled/i)
})
