/**
 * Listings over big jobs, against the API in its own process (its memory measured from
 * /proc, not from inside the test runner): three concurrent `limit=1000` listings over
 * 40 jobs of 1 MB each once took ~1 GB of API memory (full payloads in every answer).
 * Summaries carry at most a 1 KiB preview of each payload, so the same listings cost
 * little, and each answer stays small.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { EMAIL_TEXT_MAX_CHARS, Queue } from '@conveyor/queue-core'
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { jobRegistry } from '@conveyor/service-kit'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort } from '../support/free-port.js'

const appDir = fileURLToPath(new URL('../..', import.meta.url))
const JOBS = 40
const MiB = 1024 * 1024

let redis: RedisServerHandle
let api: ChildProcess | undefined
let dataDir: string
let base: string

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
  if (kb === undefined) throw new Error('no VmRSS')
  return Number(kb) * 1024
}

beforeAll(async () => {
  redis = await startRedisServer()
  dataDir = await mkdtemp(join(tmpdir(), 'conveyor-listing-'))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  api = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redis.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  for (let i = 0; i < 300; i += 1) {
    if (
      await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    await sleep(100)
  }
  // No worker runs here, so they stay queued: 40 e-mails of 1 MB each (text and HTML).
  const queue = new Queue({ connection: redis.url, registry: jobRegistry })
  const body = 'x'.repeat(EMAIL_TEXT_MAX_CHARS)
  for (let i = 0; i < JOBS; i += 1) {
    await queue.enqueue('email', { to: 'a@example.com', subject: `big ${i}`, body, html: body })
  }
  await queue.close()
}, 60_000)

afterAll(async () => {
  if (api && api.exitCode === null) {
    api.kill('SIGKILL')
    await once(api, 'exit')
  }
  await redis?.stop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

it('lists 1 MB jobs as summaries: small answers, and the API grows by a few MB, not a GB', async () => {
  const pid = api?.pid ?? 0
  const before = await rssBytes(pid)
  const url = `${base}/queues/default/jobs?state=queued&limit=1000`
  const answers = await Promise.all(
    [1, 2, 3].map(async () => {
      const res = await fetch(url)
      return { status: res.status, text: await res.text() }
    }),
  )
  const peak = await rssBytes(pid)
  for (const { status, text } of answers) {
    expect(status).toBe(200)
    const page = JSON.parse(text) as { total: number; jobs: { payloadBytes: number }[] }
    expect(page.total).toBe(JOBS)
    expect(page.jobs).toHaveLength(JOBS)
    expect(page.jobs.every((j) => j.payloadBytes > 2 * EMAIL_TEXT_MAX_CHARS)).toBe(true)
    // A summary's payload preview is at most 1 KiB: the whole answer stays under 2 KiB a job.
    expect(text.length).toBeLessThan(JOBS * 2048)
  }
  // Full payloads would be 3 × 40 MB as JSON text, several times that as strings and
  // buffers in flight. The bound leaves room for the garbage collector's own pace.
  console.log(
    `[listing] rss before=${(before / MiB).toFixed(0)} MB after=${(peak / MiB).toFixed(0)} MB`,
  )
  expect(peak - before).toBeLessThan(64 * MiB)
})
