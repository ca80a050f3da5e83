import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConveyorClient, type FlowCreated, type FlowView } from '@conveyor/client'
import { startSystem, type System, until } from '@conveyor/test-support'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { conveyor } from './support/run-cli.js'

const KEY = 'ck_cli_workflows_key'
const FAILING_PHONE = '+15550007001'
let system: System
let env: Record<string, string>
// The second path: the API over HTTP, through the typed client.
let client: ConveyorClient
let dir: string

beforeAll(async () => {
  system = await startSystem({ redisUrl: inject('redisUrl'), apiKeys: KEY })
  system.sms.behaviours.set(FAILING_PHONE, 'unavailable')
  env = { CONVEYOR_URL: system.url, CONVEYOR_API_KEY: KEY }
  client = new ConveyorClient({ url: system.url, apiKey: KEY })
  dir = await mkdtemp(join(tmpdir(), 'conveyor-cli-workflows-'))
}, 60_000)

afterAll(async () => {
  await system?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

let files = 0
async function file(content: unknown): Promise<string> {
  const path = join(dir, `input-${(files += 1)}.json`)
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

let phones = 0
const phone = () => `+1555000${7100 + (phones += 1)}`
const sms = (message: string, to = phone()) => ({ type: 'sms', payload: { phone: to, message } })

describe('conveyor flow against the real API', () => {
  it('creates a flow from a file and waits until its jobs completed, parents first', async () => {
    const phones = [phone(), phone(), phone()]
    const path = await file({
      name: 'cli flow',
      jobs: [
        { id: 'root', ...sms('root', phones[0]) },
        { id: 'left', ...sms('left', phones[1]), dependsOn: ['root'] },
        { id: 'right', ...sms('right', phones[2]), dependsOn: ['root'] },
      ],
    })
    const run = await conveyor(['flow', 'create', path, '--wait'], env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/^flow \S+ created; waiting for it to end…\n/)
    expect(run.stderr).toMatch(/^ {2}flow completed$/m)
    expect(run.stdout).toMatch(/^state +completed$/m)
    expect(run.stdout).toMatch(/^jobs +3 of 3 finished \(0 dead, 0 cancelled\)$/m)
    expect(run.stdout).toMatch(/^NODE +JOB +STATE +DEPENDS ON$/m)
    expect(run.stdout).toMatch(/^left +\S+ +completed +root$/m)
    const flowId = /^id +(\S+)$/m.exec(run.stdout)?.[1] ?? ''

    const flow = await client.flows.get(flowId)
    expect(flow).toMatchObject({ name: 'cli flow', state: 'completed' })
    const jobs = await Promise.all(flow.jobs.map((j) => client.getJob(j.id)))
    const root = jobs.find((j) => j.flow?.node === 'root')
    for (const job of jobs) expect(job.state).toBe('completed')
    for (const child of jobs.filter((j) => j !== root)) {
      expect(Date.parse(child.startedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(root?.finishedAt ?? ''),
      )
    }
    for (const p of phones) expect(system.sms.sentTo(p)).toHaveLength(1)
  })

  it('shows and cancels a flow; waiting for a cancelled flow exits 1', async () => {
    const failing = {
      id: 'failing',
      ...sms('retries in an hour', FAILING_PHONE),
      options: { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 3_600_000 } },
    }
    const path = await file({
      jobs: [failing, { id: 'after', ...sms('x'), dependsOn: ['failing'] }],
    })
    const created = await conveyor(['flow', 'create', path, '--json'], env)
    expect(created.code, created.stderr).toBe(0)
    const { flowId, jobs } = JSON.parse(created.stdout) as FlowCreated
    await until(async () => (await client.getJob(jobs.failing ?? '')).state === 'retrying', 'retry')

    const shown = await conveyor(['flow', 'get', flowId], env)
    expect(shown.stdout).toMatch(/^state +running$/m)
    expect(shown.stdout).toMatch(new RegExp(`^failing +${jobs.failing} +retrying *$`, 'm'))
    expect(shown.stdout).toMatch(new RegExp(`^after +${jobs.after} +waiting +failing$`, 'm'))

    const cancelled = await conveyor(['flow', 'cancel', flowId, '--json'], env)
    expect(cancelled.code, cancelled.stderr).toBe(0)
    const view = JSON.parse(cancelled.stdout) as FlowView
    expect(view.jobs.map((j) => j.state)).toEqual(['cancelled', 'cancelled'])
    expect((await client.getJob(jobs.after ?? '')).state).toBe('cancelled')
    const waited = await conveyor(['flow', 'wait', flowId], env)
    expect(waited.code).toBe(1)
    expect(waited.stdout).toMatch(/^state +cancelled$/m)
    expect((await client.flows.get(flowId)).state).toBe('cancelled')
  })

  it('exits 4 naming the job and field of a bad flow, 2 for a bad file, 3 for an unknown flow', async () => {
    const bad = await file({
      jobs: [
        { id: 'a', ...sms('a') },
        { id: 'b', ...sms('b'), dependsOn: ['nope'] },
      ],
    })
    const refused = await conveyor(['flow', 'create', bad], env)
    expect(refused.code).toBe(4)
    expect(refused.stderr).toMatch(/^conveyor: POST \/flows: 400 validation_failed: \/jobs\/1\//)
    const notJson = await conveyor(['flow', 'create', await file('{nope')], env)
    expect(notJson.code).toBe(2)
    expect(notJson.stderr).toMatch(/^conveyor: \S+input-\d+\.json is not JSON: /)
    const noFile = await conveyor(['flow', 'create', join(dir, 'absent.json')], env)
    expect(noFile.code).toBe(2)
    expect(noFile.stderr).toMatch(/^conveyor: cannot read \S+absent\.json: ENOENT/)
    expect((await conveyor(['flow', 'create'], env)).code).toBe(2)
    const missing = await conveyor(['flow', 'get', 'nosuchflow'], env)
    expect(missing).toMatchObject({ code: 3, stdout: '' })
    expect(missing.stderr).toBe(
      'conveyor: GET /flows/nosuchflow: 404 flow_not_found: no flow "nosuchflow"\n',
    )
  })
})

describe('conveyor batch against the real API', () => {
  it('creates, adds to (from stdin), closes and shows a batch; its callback runs once all finished', async () => {
    const callbackPhone = phone()
    const path = await file({ onComplete: sms('batch done', callbackPhone), jobs: [sms('b1')] })
    const created = await conveyor(['batch', 'create', path, '--name', 'cli batch'], env)
    expect(created.code, created.stderr).toBe(0)
    const batchId = /^batch (\S+): 1 job added$/m.exec(created.stdout)?.[1] ?? ''
    expect(batchId).not.toBe('')

    const more = [sms('b2'), { ...sms('b3', FAILING_PHONE), options: { maxAttempts: 1 } }]
    const added = await conveyor(
      ['batch', 'add', batchId, '-', '--json'],
      env,
      JSON.stringify(more),
    )
    expect(added.code, added.stderr).toBe(0)
    const { jobs } = JSON.parse(added.stdout) as { jobs: string[] }
    expect(jobs).toHaveLength(2)
    for (const id of jobs) expect((await client.getJob(id)).batch).toBe(batchId)

    const open = await conveyor(['batch', 'get', batchId], env)
    expect(open.stdout).toMatch(/^name +cli batch$/m)
    expect(open.stdout).toMatch(/^state +open$/m)
    expect(open.stdout).toMatch(/^jobs +3: /m)
    const closed = await conveyor(['batch', 'close', batchId, '--json'], env)
    expect(closed.code, closed.stderr).toBe(0)
    expect(['closed', 'done']).toContain((JSON.parse(closed.stdout) as { state: string }).state)
    const late = await conveyor(['batch', 'add', batchId, await file({ jobs: [sms('late')] })], env)
    expect(late.code).toBe(4)
    expect(late.stderr).toMatch(/^conveyor: POST \/batches\/\S+\/jobs: 409 invalid_state: /)

    await until(async () => (await client.batches.get(batchId)).state === 'done', 'done')
    const done = await conveyor(['batch', 'get', batchId], env)
    expect(done.stdout).toMatch(/^jobs +3: 2 completed, 1 dead, 0 cancelled, 0 pending$/m)
    expect(done.stdout).toMatch(new RegExp(`^failed +${jobs[1]}$`, 'm'))
    const callback = /^onComplete +(\S+)$/m.exec(done.stdout)?.[1] ?? ''
    expect((await client.waitFor(callback, { timeoutMs: 30_000 })).state).toBe('completed')
    expect(system.sms.sentTo(callbackPhone)).toHaveLength(1)

    const empty = await conveyor(['batch', 'create', '--json'], env)
    const emptyId = (JSON.parse(empty.stdout) as { batchId: string }).batchId
    expect((await client.batches.get(emptyId)).counts.total).toBe(0)
    expect((await conveyor(['batch', 'get', 'nosuchbatch'], env)).code).toBe(3)
    expect((await conveyor(['batch', 'frob'], env)).code).toBe(2)
  })
})
