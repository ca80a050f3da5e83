/**
 * Fault 5a: poison messages written straight into Redis, the way a buggy producer or a
 * hand edit would: a spec that is not JSON, and one whose payload fails its schema.
 * The worker app must dead-letter each with its reason (shown by GET /jobs/:id) and
 * keep running: the same process completes later jobs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Cluster, PREFIX } from './support/cluster.js'
import { summary } from './support/scale.js'
import { until } from '@conveyor/test-support'
import { queueKeys } from '@conveyor/queue-core'
import { writeQueuedJob } from '@conveyor/queue-core/testing'

const KEYS = queueKeys(PREFIX, 'default')

let cluster: Cluster

beforeAll(async () => {
  cluster = await Cluster.start({ api: true, workers: 1 })
  await cluster.started(cluster.workers[0]!)
})

afterAll(async () => {
  const unclean = await cluster?.stop()
  expect(unclean?.map((s) => s.dump()) ?? []).toEqual([])
})

interface JobView {
  state: string
  attempts: number
  lastError?: { message: string; code?: string }
}

async function view(id: string): Promise<JobView> {
  const { status, json } = await cluster.get(`/jobs/${encodeURIComponent(id)}`)
  expect(status).toBe(200)
  return json as unknown as JobView
}

async function settledView(id: string): Promise<JobView> {
  let last: JobView | undefined
  await until(async () => {
    last = await view(id)
    return ['completed', 'dead'].includes(last.state)
  }, `job ${id} to settle`)
  return last!
}

it('dead-letters malformed and schema-failing payloads with their reason, worker alive', async () => {
  const worker = cluster.workers[0]!
  await writeQueuedJob(cluster.client, KEYS, 'poison-not-json', '{"type": "sms", "payload": ')
  const badSpec = {
    type: 'sms',
    payload: { phone: 'not a phone', message: 'hi' },
    maxAttempts: 4,
    backoff: { type: 'fixed', delayMs: 0 },
    priority: 5,
    timeout: 0,
    createdAt: Date.now(),
  }
  await writeQueuedJob(cluster.client, KEYS, 'poison-schema', JSON.stringify(badSpec))
  // A real job behind them wakes the worker, which is blocked waiting for work.
  const first = await cluster.post('/enqueue-sms', { phone: '+15550001400', message: 'first' })
  expect(first.status).toBe(202)

  const notJson = await settledView('default:poison-not-json')
  const schema = await settledView('default:poison-schema')
  const later = await cluster.post('/enqueue-sms', { phone: '+15550001400', message: 'later' })
  const good = await Promise.all([
    settledView(String(first.json.id)),
    settledView(String(later.json.id)),
  ])
  const dead = (await cluster.get('/queues/default/dead')).json.jobs as { id: string }[]
  summary('poison-payload', {
    notJson: `${notJson.state}(${notJson.lastError?.code}: ${notJson.lastError?.message})`,
    schema: `${schema.state}(${schema.lastError?.code}: ${schema.lastError?.message})`,
    deadListed: dead.filter((j) => j.id.startsWith('default:poison-')).length,
    laterJobs: good.map((g) => g.state).join(','),
    workerAlive: String(worker.running),
  })
  expect(notJson).toMatchObject({ state: 'dead', attempts: 1 })
  expect(notJson.lastError?.message).toContain('not JSON')
  expect(schema).toMatchObject({ state: 'dead', attempts: 1 })
  expect(schema.lastError?.message).toContain('/payload/phone')
  expect(dead.map((j) => j.id)).toEqual(
    expect.arrayContaining(['default:poison-not-json', 'default:poison-schema']),
  )
  expect(good.map((g) => g.state)).toEqual(['completed', 'completed'])
  // The same process, never restarted, did the later jobs.
  expect(worker.running).toBe(true)
  expect(cluster.workers).toHaveLength(1)
})
