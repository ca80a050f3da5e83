import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from '@conveyor/queue-core'
import { deletePrefix, freePort, uniquePrefix } from '@conveyor/queue-core/testing'
import { jobRegistry } from '@conveyor/service-kit'
import { SmsSink, until } from '@conveyor/test-support'
import { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { LauncherProcess } from './support/launcher-process.js'

const SLOW_PHONE = '+15550001001'
const HANGING_PHONE = '+15550001002'

let sms: SmsSink
let dataDir: string
let prefix: string
let port: number
let launcher: LauncherProcess | undefined

beforeEach(async () => {
  sms = await SmsSink.start('AC_launcher', 'token')
  dataDir = await mkdtemp(join(tmpdir(), 'conveyor-launcher-'))
  prefix = uniquePrefix('launcher')
  port = await freePort()
})

afterEach(async () => {
  await launcher?.stop()
  launcher = undefined
  await sms.close()
  await deletePrefix(inject('redisUrl'), prefix)
  await rm(dataDir, { recursive: true, force: true })
})

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    SMS_PROVIDER: 'twilio',
    SMS_API_URL: sms.url,
    SMS_ACCOUNT_SID: sms.sid,
    SMS_AUTH_TOKEN: sms.token,
    SMS_FROM: '+15550009999',
    SHUTDOWN_GRACE_MS: '15000',
    ...extra,
  }
}

async function enqueueSms(phone: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/enqueue-sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, message: `launcher test ${phone}` }),
  })
  expect(res.status).toBe(202)
  return ((await res.json()) as { id: string }).id
}

async function jobState(id: string): Promise<string | undefined> {
  const queue = new Queue({ connection: inject('redisUrl'), registry: jobRegistry, prefix })
  try {
    return (await queue.getJob(id))?.state
  } finally {
    await queue.close()
  }
}

describe('pnpm start (the launcher)', () => {
  it('stops every service gracefully on one Ctrl-C to its process group: the running job finishes, exit 0', async () => {
    sms.delayMs = 2_000
    launcher = new LauncherProcess(env())
    await launcher.waitFor(/\[launcher\] ready/)
    const out = launcher.output
    expect(out).toContain(`API        http://localhost:${port}\n`)
    expect(out).toContain(`API docs   http://localhost:${port}/docs\n`)
    expect(out).toContain(`web UI     http://localhost:${port}/ui\n`) // the dashboard
    expect(out).toContain(`mail       ${join(dataDir, 'outbox', 'email')}/*.eml`)
    expect(out).not.toContain('SMS        ') // SMS go to the provider, not the outbox
    expect(out).toContain(
      `try        CONVEYOR_URL=http://localhost:${port} pnpm conveyor enqueue sms`,
    )

    // Not a terminal: every service line is JSON.
    const apiLines = launcher.lines('[api]').map((l) => l.slice(12))
    expect(apiLines.length).toBeGreaterThan(0)
    for (const line of apiLines) expect(() => JSON.parse(line) as unknown).not.toThrow()

    const id = await enqueueSms(SLOW_PHONE)
    await until(() => sms.sentTo(SLOW_PHONE).length === 1, 'the SMS to reach the provider')
    launcher.interrupt()
    expect(await launcher.exited).toBe(0)

    const output = launcher.output
    expect(output).not.toContain('second signal')
    expect(output).toContain('[launcher] all services stopped')
    for (const name of ['api', 'worker', 'scheduler']) {
      const stopped = launcher.lines(`[${name}]`).filter((l) => l.includes('"msg":"stopped"'))
      expect(stopped, name).toHaveLength(1)
      const shuttingDown = launcher.lines(`[${name}]`).filter((l) => l.includes('shutting down'))
      expect(shuttingDown, name).toHaveLength(1)
      expect(shuttingDown[0], name).toContain('"signal":"SIGTERM"')
    }
    // The job that was running when Ctrl-C came finished: one delivery, completed.
    expect(sms.sentTo(SLOW_PHONE)).toHaveLength(1)
    expect(await jobState(id)).toBe('completed')
  })

  it('forces the stop on a second Ctrl-C', async () => {
    sms.behaviours.set(HANGING_PHONE, 'hang')
    launcher = new LauncherProcess(env())
    await launcher.waitFor(/\[launcher\] ready/)
    await enqueueSms(HANGING_PHONE)
    await until(() => sms.sentTo(HANGING_PHONE).length === 1, 'the SMS to reach the provider')
    launcher.interrupt()
    await launcher.waitFor(/\[worker\].*shutting down/)
    launcher.interrupt()
    expect(await launcher.exited).toBe(1)
    expect(launcher.output).toContain('[launcher] SIGINT again: killing the services')
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
  })

  it('on a terminal logs one readable line per event, and a typed Ctrl-C stops it gracefully', async () => {
    launcher = new LauncherProcess(env(), { tty: true })
    await launcher.waitFor(/\[launcher\] ready/)
    const apiLines = launcher.lines('[api]')
    expect(apiLines.length).toBeGreaterThan(0)
    expect(
      apiLines.some((l) => /^\[api\] +\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: api listening/.test(l)),
    ).toBe(true)
    for (const line of [...apiLines, ...launcher.lines('[worker]')])
      expect(line).not.toMatch(/^\[\w+\] +\{/)
    launcher.interrupt()
    expect(await launcher.exited).toBe(0)
    expect(launcher.output).not.toContain('second signal')
    expect(launcher.lines('[worker]').some((l) => /INFO: stopped/.test(l))).toBe(true)
  })

  it('starts a private redis-server when nothing answers at REDIS_URL, and stops it last', async () => {
    const unused = `redis://127.0.0.1:${await freePort()}`
    launcher = new LauncherProcess(env({ REDIS_URL: unused, LAUNCH: 'api,worker' }))
    await launcher.waitFor(/\[launcher\] ready/)
    const started = /started a private redis-server at (redis:\/\/[\d.:]+)/.exec(launcher.output)
    expect(started, launcher.output).not.toBeNull()
    const id = await enqueueSms('+15550001003')
    await until(() => sms.sentTo('+15550001003').length === 1, 'the SMS to be sent')
    launcher.interrupt()
    expect(await launcher.exited).toBe(0)
    expect(launcher.output).not.toContain('second signal')
    // The private Redis kept running until the services were done with it, then stopped.
    const worker = launcher.lines('[worker]').join('\n')
    expect(worker).not.toMatch(/ECONNREFUSED|Connection is closed/)
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null)).toBeNull()
    const probe = new Redis(started?.[1] ?? '', { lazyConnect: true, retryStrategy: () => null })
    probe.on('error', () => undefined)
    await expect(probe.connect()).rejects.toThrow()
    probe.disconnect()
    // Its append-only file is under DATA_DIR/redis: the job's record survives a restart.
    const aof = await readdir(join(dataDir, 'redis', 'appendonlydir'))
    expect(aof.some((f) => f.endsWith('.incr.aof'))).toBe(true)
    expect(id).toMatch(/\S/)
  })
})
