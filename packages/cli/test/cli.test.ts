import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { freePort } from '@conveyor/queue-core/testing'
import { startSystem, type System, until } from '@conveyor/test-support'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { conveyor, spawnConveyor } from './support/run-cli.js'

const KEY = 'ck_cli_test_key'
const FAILING_PHONE = '+15550003001'
let system: System
let env: Record<string, string>

beforeAll(async () => {
  system = await startSystem({ redisUrl: inject('redisUrl'), apiKeys: KEY })
  system.sms.behaviours.set(FAILING_PHONE, 'unavailable')
  env = { CONVEYOR_URL: system.url, CONVEYOR_API_KEY: KEY }
}, 60_000)

afterAll(async () => {
  await system?.close()
})

const sms = (phone: string, message = 'từ dòng lệnh') => JSON.stringify({ phone, message })

describe('conveyor, the built binary, against the real API', () => {
  it('enqueues a job, waits for it, and shows it', async () => {
    const run = await conveyor(['enqueue', 'sms', '--payload', sms('+15550003002'), '--wait'], env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/^queued \S+; waiting for it to finish…\n/)
    expect(run.stdout).toMatch(/^state +completed$/m)
    expect(run.stdout).toMatch(/^attempts +1 of 4$/m)
    const id = /^id +(\S+)$/m.exec(run.stdout)?.[1] ?? ''

    const shown = await conveyor(['job', id, '--json'], env)
    expect(shown.code).toBe(0)
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, state: 'completed', type: 'sms' })

    const listed = await conveyor(['jobs', 'default', '--state', 'completed', '--type', 'sms'], env)
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/^ID +TYPE +STATE +ATTEMPTS +CREATED +LAST ERROR$/m)
    expect(listed.stdout).toContain(id)
    const none = await conveyor(
      ['jobs', 'default', '--state', 'completed', '--type', 'convert'],
      env,
    )
    expect(none.stdout).toBe('no completed jobs of type convert in default\n')
  })

  it('prints a table of queues, or JSON for scripts', async () => {
    const table = await conveyor(['stats'], env)
    expect(table.code).toBe(0)
    const [header, ...rows] = table.stdout.trimEnd().split('\n')
    expect(header).toMatch(
      /^QUEUE +QUEUED +SCHEDULED +ACTIVE +RETRYING +COMPLETED +DEAD +CANCELLED +PAUSED$/,
    )
    expect(rows.map((r) => r.split(/ +/)[0])).toEqual(['default', 'convert'])
    const json = await conveyor(['stats', '--json'], env)
    const queues = JSON.parse(json.stdout) as { name: string; completed: number }[]
    expect(queues.map((q) => q.name)).toEqual(['default', 'convert'])
  })

  it('exits 1 when the job it waited for ends dead; retry and requeue-dead bring it back', async () => {
    const args = ['enqueue', 'sms', '--payload', sms(FAILING_PHONE), '--max-attempts', '1']
    const run = await conveyor([...args, '--wait', '--json'], env)
    expect(run.code).toBe(1)
    const job = JSON.parse(run.stdout) as {
      id: string
      state: string
      lastError: { message: string }
    }
    expect(job.state).toBe('dead')
    expect(job.lastError.message).toMatch(/503/)

    const retried = await conveyor(['retry', job.id], env)
    expect(retried.code, retried.stderr).toBe(0)
    expect(retried.stdout).toMatch(/^id +\S+$/m)
    await until(async () => {
      const again = await conveyor(['job', job.id, '--json'], env)
      return (JSON.parse(again.stdout) as { state: string }).state === 'dead'
    }, 'the retried job to die again')
    const requeued = await conveyor(['requeue-dead', 'default'], env)
    expect(requeued).toMatchObject({ code: 0, stdout: 'requeued 1 dead job of default\n' })
  })

  it('follows live events with tail until Ctrl-C, exit 0', async () => {
    const tail = spawnConveyor(['tail', 'default', '--json'], env)
    await until(
      () => tail.output.stderr.includes('following default'),
      'tail to open its stream',
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${JSON.stringify(tail.output)}`)
    })
    const run = await conveyor(['enqueue', 'sms', '--payload', sms('+15550003003'), '--json'], env)
    const { id } = JSON.parse(run.stdout) as { id: string }
    const eventsOf = () =>
      tail.output.stdout
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { event: string; ids: string[]; queue: string })
        .filter((e) => e.ids.includes(id))
        .map((e) => e.event)
    await until(() => eventsOf().includes('completed'), 'tail to show the job completed')
    expect(eventsOf()).toEqual(expect.arrayContaining(['queued', 'active', 'completed']))
    tail.child.kill('SIGINT')
    expect(await tail.exited).toBe(0)
  })

  it('says clearly when this server has no schedules route', async () => {
    const run = await conveyor(['schedules'], env)
    if (run.code === 0) {
      expect(run.stdout).not.toBe('') // a server that has GET /schedules
    } else {
      expect(run.code).toBe(3)
      expect(run.stderr).toBe(
        'schedules are not supported by this server (404: it has no GET /schedules)\n',
      )
    }
  })
})

describe('conveyor exit codes and messages', () => {
  it('2 for bad usage: an unknown command or flag, a payload that is not JSON', async () => {
    const unknown = await conveyor(['frobnicate'], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('conveyor: unknown command "frobnicate"')
    const flag = await conveyor(['stats', '--colour'], env)
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/Unknown option '--colour'/)
    const payload = await conveyor(['enqueue', 'sms', '--payload', '{nope'], env)
    expect(payload.code).toBe(2)
    expect(payload.stderr).toMatch(/^conveyor: --payload is not JSON: /)
    const bare = await conveyor([], env)
    expect(bare.code).toBe(2)
    expect(bare.stderr).toMatch(/^Usage: conveyor <command>/)
    expect((await conveyor(['--help'])).code).toBe(0)
  })

  it('3 for what is not found, with the server’s code', async () => {
    const job = await conveyor(['job', 'default:no-such-job'], env)
    expect(job).toMatchObject({ code: 3, stdout: '' })
    expect(job.stderr).toBe(
      'conveyor: GET /jobs/default%3Ano-such-job: 404 job_not_found: no job "default:no-such-job"\n',
    )
    expect((await conveyor(['jobs', 'nope'], env)).code).toBe(3)
  })

  it('4 for what the server refuses: a bad payload (naming the field), a missing API key', async () => {
    const invalid = await conveyor(['enqueue', 'sms', '--payload', '{"to":"x"}'], env)
    expect(invalid.code).toBe(4)
    expect(invalid.stderr).toMatch(
      /^conveyor: POST \/jobs: 400 validation_failed: .*\/payload\/phone/,
    )
    const anonymous = await conveyor(['stats'], { CONVEYOR_URL: system.url })
    expect(anonymous.code).toBe(4)
    expect(anonymous.stderr).toMatch(/401 unauthorized/)
    const withFlag = await conveyor(['stats', '--url', system.url, '--api-key', KEY])
    expect(withFlag.code).toBe(0)
  })

  it('5 when the server cannot be reached', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const run = await conveyor(['stats', '--url', url])
    expect(run.code).toBe(5)
    expect(run.stderr).toBe(`conveyor: GET /queues: cannot reach ${url} (ECONNREFUSED)\n`)
  })

  it('runs as `pnpm conveyor` from the repository root', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    const { stdout } = await promisify(execFile)('pnpm', ['conveyor', '--version'], { cwd: root })
    expect(stdout).toBe('0.1.0\n')
  })
})
