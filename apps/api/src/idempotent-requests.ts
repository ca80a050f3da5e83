import { randomUUID } from 'node:crypto'
import { RequestClaims } from '@conveyor/queue-core'
import type { FastifyRequest } from 'fastify'
import { ApiError } from './api-error.js'
import { requestFingerprint } from './plugins/idempotency.js'
import { httpStatusOf } from './plugins/error-handler.js'

/** How long a request holds its key while it runs: a retry meanwhile gets a 409. */
export const REQUEST_LEASE_MS = 60_000
/** How long a request's answer is replayed to a retry with its key. */
export const REQUEST_KEEP_MS = 24 * 60 * 60 * 1000

const HEADER_PATH = '/headers/idempotency-key'

/** The part of a route's reply this uses, whatever the route's typed reply. */
interface Reply<R> {
  code(status: number): R
  header(name: string, value: string): R
  send(body?: unknown): R
}

interface Stored {
  status: number
  body: unknown
}

/**
 * Runs a POST that is not one enqueue (a flow, a batch, jobs added to a batch) at most
 * once per Idempotency-Key, the way POST /jobs is: the first answer is kept and
 * replayed (`idempotent-replayed: true`) to a retry with the same key and request; the
 * key with another request is a 422; a retry while the first still runs is a 409. A
 * request refused (4xx) forgets its key; one that failed otherwise (5xx, or a process
 * that died: its lease runs out) keeps only its fingerprint, so the same request may be
 * tried again and no other may take the key. Without a key it just runs.
 */
export async function answerOnce<T, R extends Reply<R>>(o: {
  request: FastifyRequest
  reply: R
  status: number
  run: () => Promise<T>
}): Promise<void> {
  const { request, reply, status } = o
  const claim = request.idempotency
  if (!claim) {
    reply.code(status).send(await o.run())
    return
  }
  // The route's params are part of the request: one key, two batches, two requests.
  claim.fingerprint ??= requestFingerprint(request, {
    params: request.params,
    body: request.body,
  })
  const { redis, prefix } = request.server.conveyor
  const claims = new RequestClaims(redis, prefix)
  const token = randomUUID()
  const claimed = await claims.claim(claim.key, {
    fingerprint: claim.fingerprint,
    token,
    leaseMs: REQUEST_LEASE_MS,
    keepMs: REQUEST_KEEP_MS,
  })
  const { outcome } = claimed
  if (outcome === 'reused') {
    const message = 'this idempotency key was given before for a different request'
    throw new ApiError(422, 'idempotency_key_reused', message, [{ path: HEADER_PATH, message }])
  }
  if (outcome === 'busy') {
    const message = 'a request with this idempotency key is still running: retry later'
    throw new ApiError(409, 'idempotency_key_in_use', message, [{ path: HEADER_PATH, message }])
  }
  if (claimed.outcome === 'done') {
    const stored = JSON.parse(claimed.answer) as Stored
    reply.header('idempotent-replayed', 'true').code(stored.status).send(stored.body)
    return
  }
  let body: T
  try {
    body = await o.run()
  } catch (err) {
    const mode = httpStatusOf(err as Error, request) < 500 ? 'free' : 'failed'
    // A release lost with Redis changes nothing: the lease runs out and frees the key.
    await claims.release(claim.key, { token, mode }).catch(() => undefined)
    throw err
  }
  const stored: Stored = { status, body }
  await claims.done(claim.key, { token, answer: JSON.stringify(stored), keepMs: REQUEST_KEEP_MS })
  reply.code(status).send(body)
}
