import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue } from '@conveyor/queue-core'
import { deletePrefix, uniquePrefix } from '@conveyor/queue-core/testing'
import { jobRegistry, redactUrl } from '@conveyor/service-kit'
import { beforeAll, describe, expect, test } from 'vitest'
import { useHarness, waitForState } from './helpers/harness.js'
import { startSmtp } from './helpers/smtp.js'

const APP = join(dirname(fileURLToPath(import.meta.url)), '..')
const MAIN = join(APP, 'dist', 'main.js')

interface Running {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** resolves once stdout has a line matching `pattern` */
  line(pattern: RegExp): Promise<string>
}

/** Runs the built worker with only the given environment (plus PATH). */
function startWorker(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [MAIN], {
    cwd: APP,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = []
  const check = () => {
    for (const w of watchers.splice(0)) {
      const hit = out.split('\n').find((l) => w.pattern.test(l))
      if (hit === undefined) watchers.push(w)
      else w.resolve(hit)
    }
  }
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString()
    check()
  })
  child.stderr.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    line(pattern) {
      return new Promise((resolve, reject) => {
        watchers.push({ pattern, resolve })
        check()
        void exited.then(({ code }) =>
          reject(new Error(`worker exited (${code}) before /${pattern.source}/:\n${out}${err}`)),
        )
      })
    },
  }
}

describe('the worker process', () => {
  const h = useHarness()

  beforeAll(() => {
    const tsc = spawnSync(
      process.execPath,
      [join(APP, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      { cwd: APP, encoding: 'utf8' },
    )
    if (tsc.status !== 0) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`)
    expect(existsSync(MAIN)).toBe(true)
  }, 120_000)

  function track(worker: Running): Running {
    h.defer(async () => {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill('SIGKILL')
        await worker.exited
      }
    })
    return worker
  }

  test('sends an enqueued email over SMTP, then stops on SIGTERM with exit code 0', async () => {
    const smtp = await startSmtp()
    h.defer(() => smtp.close())
    const prefix = uniquePrefix('worker-proc')
    h.defer(() => deletePrefix(h.redisUrl, prefix))
    const dataDir = await h.tempDir()
    const worker = track(
      startWorker({
        REDIS_URL: h.redisUrl,
        QUEUE_PREFIX: prefix,
        DATA_DIR: dataDir,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Conveyor Test <test@conveyor.local>',
        SHUTDOWN_GRACE_MS: '5000',
        WORKER_CONCURRENCY: '3',
      }),
    )
    const started = JSON.parse(await worker.line(/"msg":"worker started"/)) as Record<
      string,
      unknown
    >
    expect(started.queues).toEqual({ default: { concurrency: 3 }, convert: { concurrency: 2 } })
    expect(started.redis).toBe(redactUrl(h.redisUrl))

    const queue = new Queue({ connection: h.redisUrl, registry: jobRegistry, prefix })
    h.defer(() => queue.close())
    const { id } = await queue.enqueue('email', {
      to: 'ban@example.vn',
      subject: 'Nhắc nhở định kỳ',
      body: 'Đây là email nhắc nhở gửi định kỳ mỗi phút.',
    })
    const mail = await smtp.message()
    expect(mail.subject).toBe('Nhắc nhở định kỳ')
    expect(mail.from?.text).toContain('test@conveyor.local')
    const job = await waitForState(queue, id, ['completed', 'dead', 'retrying'])
    expect(job.state).toBe('completed')
    const logged = JSON.parse(
      await worker.line(new RegExp(`"jobId":"${id}".*"msg":"job completed"`)),
    ) as Record<string, unknown>
    expect(logged).toMatchObject({ jobId: id, type: 'email', queue: 'default', attempt: 1 })
    expect(typeof logged.durationMs).toBe('number')

    worker.child.kill('SIGTERM')
    expect(await worker.exited).toEqual({ code: 0, signal: null })
    expect(worker.stdout()).toContain('"msg":"stopped"')
  })

  test('SIGTERM lets a job in flight finish within the grace period, then exits 0', async () => {
    const smtp = await startSmtp({ holdReplies: true })
    h.defer(() => smtp.close())
    const prefix = uniquePrefix('worker-proc')
    h.defer(() => deletePrefix(h.redisUrl, prefix))
    const worker = track(
      startWorker({
        REDIS_URL: h.redisUrl,
        QUEUE_PREFIX: prefix,
        DATA_DIR: await h.tempDir(),
        SMTP_URL: smtp.url,
        SHUTDOWN_GRACE_MS: '20000',
      }),
    )
    await worker.line(/"msg":"worker started"/)
    const queue = new Queue({ connection: h.redisUrl, registry: jobRegistry, prefix })
    h.defer(() => queue.close())
    const { id } = await queue.enqueue('email', { to: 'a@example.vn', subject: 'Chờ', body: 'x' })
    // The message is on the server, whose answer is held: the job is mid-send.
    await smtp.message()
    worker.child.kill('SIGTERM')
    await worker.line(/"msg":"shutting down"/)
    smtp.release()
    expect(await worker.exited).toEqual({ code: 0, signal: null })
    const job = await queue.getJob(id)
    expect(job?.state).toBe('completed')
    expect(smtp.messages).toHaveLength(1)
  })

  test('an invalid environment exits 2 and names the variable on stderr', async () => {
    const worker = track(
      startWorker({ REDIS_URL: h.redisUrl, WORKER_CONCURRENCY: 'abc', SMS_PROVIDER: 'pigeon' }),
    )
    expect(await worker.exited).toEqual({ code: 2, signal: null })
    expect(worker.stderr()).toContain('WORKER_CONCURRENCY')
    expect(worker.stderr()).toContain('"abc"')
    expect(worker.stderr()).toContain('SMS_PROVIDER')
    expect(worker.stdout()).toBe('')
  })
})
