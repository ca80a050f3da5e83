import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { deletePrefix, uniquePrefix } from '@conveyor/queue-core/testing'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { freePort } from './support/free-port.js'

const appDir = fileURLToPath(new URL('..', import.meta.url))
const prefix = uniquePrefix('api-proc')
let dataDir: string
const children: ChildProcess[] = []

beforeAll(async () => {
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: appDir })
  dataDir = await mkdtemp(join(tmpdir(), 'conveyor-api-proc-'))
}, 120_000)

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await deletePrefix(inject('redisUrl'), prefix)
  await rm(dataDir, { recursive: true, force: true })
})

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const output = { stdout: '', stderr: '' }
  child.stdout?.on('data', (b: Buffer) => (output.stdout += b.toString()))
  child.stderr?.on('data', (b: Buffer) => (output.stderr += b.toString()))
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  return { child, output, exited }
}

/** Polls /healthz until the process answers (or gives up after ~15 s). */
async function waitForHealth(base: string): Promise<void> {
  for (let i = 0; i < 150; i += 1) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error('the API did not come up')
}

it('starts, takes a job, and exits 0 on SIGTERM without logging the API key', async () => {
  const port = await freePort()
  const key = 'ck_process_test_secret_1'
  const { child, output, exited } = start({
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    API_KEYS: key,
    LOG_LEVEL: 'debug',
  })
  const base = `http://127.0.0.1:${port}`
  await waitForHealth(base)
  const res = await fetch(`${base}/enqueue-email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ to: 'a@example.com', subject: 'Chào 👋', body: 'Xin chào' }),
  })
  expect(res.status).toBe(202)
  const denied = await fetch(`${base}/queues`, { headers: { 'x-api-key': 'wrong' } })
  expect(denied.status).toBe(401)

  child.kill('SIGTERM')
  expect(await exited).toBe(0)
  expect(output.stdout).toContain('api listening')
  expect(output.stdout).not.toContain(key)
}, 30_000)

it('exits 2 naming PORT when PORT is not a number', async () => {
  const { output, exited } = start({ PORT: 'abc', REDIS_URL: inject('redisUrl') })
  expect(await exited).toBe(2)
  expect(output.stderr).toContain('PORT')
  expect(output.stderr).toContain('abc')
})

it('exits 1 saying the port is taken when another program listens on it', async () => {
  const port = await freePort()
  const squatter = createServer()
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))
  try {
    const { output, exited } = start({
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    })
    expect(await exited).toBe(1)
    expect(output.stderr).toBe(
      `api: failed to start: port ${port} on 127.0.0.1 is taken (another Conveyor API, or ` +
        'another program, listens there): stop it, or set PORT to a free port\n',
    )
  } finally {
    squatter.close()
  }
})
