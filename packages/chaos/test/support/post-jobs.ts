import { expect } from 'vitest'
import type { Cluster, HttpAnswer } from './cluster.js'
import { sleep } from './scale.js'

export interface JobBody {
  type: string
  payload: unknown
}

/** How often one request is sent again after a 503 before the test gives up. */
const MAX_TRIES = 10

/**
 * POSTs with an Idempotency-Key, sent again after a 503: one may come from a request that
 * took effect (`outcome_unknown`, say, when a busy machine holds Redis's answer past the
 * API's command timeout), and the README asks a client to retry with the same key, which
 * gives back the first answer. Resolves with the last answer and the number of 503s.
 */
export async function postKeyed(
  cluster: Cluster,
  request: { path: string; body: unknown; key: string },
): Promise<{ answer: HttpAnswer; retried: number }> {
  for (let tries = 1; ; tries += 1) {
    const answer = await cluster.post(request.path, request.body, {
      'idempotency-key': request.key,
    })
    if (answer.status !== 503 || tries === MAX_TRIES) return { answer, retried: tries - 1 }
    await sleep(200)
  }
}

/**
 * Posts `total` jobs (the i-th made by `make(i)`) through `POST /jobs/batch`, `perRequest`
 * a request, from `posters` clients at once; returns each accepted id → its index and
 * how many answers were 503s that a retry made good.
 */
export async function postJobs(
  cluster: Cluster,
  options: { total: number; perRequest: number; posters: number; make: (i: number) => JobBody },
): Promise<{ accepted: Map<string, number>; retried: number }> {
  const { total, perRequest, posters, make } = options
  const accepted = new Map<string, number>()
  let retried = 0
  let next = 0
  const poster = async () => {
    while (next < total) {
      const start = next
      next = Math.min(total, next + perRequest)
      const jobs = []
      for (let i = start; i < next; i += 1) jobs.push(make(i))
      const sent = await postKeyed(cluster, {
        path: '/jobs/batch',
        body: { jobs },
        key: `p-${start}`,
      })
      retried += sent.retried
      expect(sent.answer.status, JSON.stringify(sent.answer.json).slice(0, 500)).toBe(202)
      const ids = (sent.answer.json.jobs as { id: string }[]).map((j) => j.id)
      ids.forEach((id, k) => accepted.set(id, start + k))
    }
  }
  await Promise.all(Array.from({ length: posters }, poster))
  return { accepted, retried }
}
