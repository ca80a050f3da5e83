/**
 * Thousands of generated invalid requests against every POST route, through
 * `app.inject()`: the API must answer each with a 4xx (never a 2xx, never a 5xx),
 * stay up, enqueue nothing and leave the prototypes of the process untouched.
 * The generator is seeded: FUZZ_SEED reproduces a failing run, FUZZ_N runs longer.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  hostileJsonRequest,
  hostileOperatorRequest,
  hostileUploadRequest,
  JSON_ROUTES,
  prng,
  type HostileRequest,
} from '../support/hostile-inputs.js'
import { listFiles } from '../support/files.js'
import { numericEdgeRequest } from '../support/numeric-edges.js'
import { startTestApp, type TestApp } from '../support/test-app.js'

const N = Number(process.env.FUZZ_N ?? 3000)
const SEED = Number(process.env.FUZZ_SEED ?? 0xc0ffee)

let t: TestApp
beforeAll(async () => {
  // No rate limit in the way, and a small upload limit so over-size cases stay cheap.
  t = await startTestApp({ RATE_LIMIT_MAX: '1000000000', UPLOAD_MAX_BYTES: '65536' })
})
afterAll(() => t.close())

// Every property name the prototypes had before the run, to spot any the run adds.
function protoKeys(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].flatMap((p, i) =>
    Reflect.ownKeys(p).map((k) => `${i}:${String(k)}`),
  )
}

function generate(rng: ReturnType<typeof prng>): HostileRequest {
  const roll = rng.next()
  if (roll < 0.12) return hostileUploadRequest(rng)
  if (roll < 0.2) return hostileOperatorRequest(rng)
  if (roll < 0.3) return numericEdgeRequest(rng)
  return hostileJsonRequest(rng, rng.pick(JSON_ROUTES))
}

it(`answers ${N} hostile requests with 4xx only, and stays whole`, async () => {
  const before = protoKeys()
  const rng = prng(SEED)
  const statuses: Record<number, number> = {}
  const wrong: string[] = []
  for (let i = 0; i < N; i += 1) {
    const req = generate(rng)
    const res = await t.app.inject({ method: 'POST', ...req })
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
    if (res.statusCode < 400 || res.statusCode >= 500) {
      wrong.push(`#${i} ${req.kind} ${req.url} -> ${res.statusCode} ${res.body.slice(0, 200)}`)
    }
  }

  const health = await t.app.inject({ method: 'GET', url: '/healthz' })
  const counts = await Promise.all(['default', 'convert'].map((q) => t.queue(q).counts()))
  const enqueued = counts.reduce(
    (sum, c) => sum + c.queued + c.scheduled + c.retrying + c.active + c.completed + c.dead,
    0,
  )
  const paused = counts.some((c) => c.paused)
  const polluted =
    ({} as Record<string, unknown>).polluted !== undefined || protoKeys().join() !== before.join()
  // Rejected uploads leave nothing behind on disk either.
  const stored = await listFiles(t.dataDir)
  const fivexx = Object.entries(statuses)
    .filter(([s]) => Number(s) >= 500)
    .reduce((n, [, c]) => n + c, 0)
  console.log(
    `[fuzz] seed=${SEED} tried=${N} statuses=${JSON.stringify(statuses).replace(/"/g, '')} ` +
      `5xx=${fivexx} enqueued=${enqueued} paused=${paused} stored=${stored.length} ` +
      `polluted=${polluted}`,
  )
  expect(wrong.slice(0, 20)).toEqual([])
  expect(health.statusCode).toBe(200)
  expect({ enqueued, paused, polluted, stored }).toEqual({
    enqueued: 0,
    paused: false,
    polluted: false,
    stored: [],
  })
})
