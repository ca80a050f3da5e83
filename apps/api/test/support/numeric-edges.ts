/**
 * Numbers a client may send that the API must refuse with a 400 naming the field:
 * out of range, not integers, or past what a job can be scheduled for. Each one was
 * once accepted (runAt 1e21 stored as -2^63, a job that never runs) or coerced
 * (limit=1.5 read as 1), or answered 500 (offset=1e20).
 */
import type { HostileRequest, Rng } from './hostile-inputs.js'

const YEAR_MS = 31_536_000_000
const DAY_MS = 86_400_000

/** Enqueue options and the edge values each must refuse. */
export const OPTION_EDGES: Record<string, () => unknown[]> = {
  runAt: () => [1e21, -1, 1.5, 2 ** 63, Date.now() + YEAR_MS + DAY_MS, '+275760-09-13T00:00:01Z'],
  delayMs: () => [1e21, -1, 1.5, YEAR_MS + 1, 2 ** 53],
  priority: () => [-1, 10, 1.5, 1e21],
  maxAttempts: () => [0, -1, 1.5, 101, 1e21],
}

/** Query strings of the listing routes and the edge values each must refuse. */
export const QUERY_EDGES: Record<string, string[]> = {
  offset: ['1e20', '-1', '1.5', '100001', '9007199254740993', 'NaN', '0x10', ' 1'],
  limit: ['1.5', '0', '1001', '1e3', '-5', 'Infinity', ''],
}

const SMS = { phone: '+84912345678', message: 'hi' }

/** One POST /jobs or /jobs/batch whose only fault is one numeric option. */
export function numericEdgeRequest(rng: Rng): HostileRequest {
  const field = rng.pick(Object.keys(OPTION_EDGES))
  const value = rng.pick(OPTION_EDGES[field]?.() ?? [])
  const job = { type: 'sms', payload: SMS, [field]: value }
  const batch = rng.next() < 0.4
  return {
    kind: `numeric-${field}`,
    url: batch ? '/jobs/batch' : '/jobs',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(batch ? { jobs: [{ type: 'sms', payload: SMS }, job] } : job),
  }
}
