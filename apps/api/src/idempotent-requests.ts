import { randomUUID } from 'node:crypto'
import { idempotentRequestKey, redisCall } from '@conveyor/queue-core'
import type { FastifyRequest } from 'fastify'
import { ApiError } from './api-error.js'
import { requestFingerprint } from './plugins/idempotency.js'
import { httpStatusOf } from './plugins/error-handler.js'

/** How long a request holds its key while it runs: a retry meanwhile gets a 409. */
export const REQUEST_LEASE_MS = 60_000
/** How long a request's answer is replayed to a retry with its key. */
export const REQUEST_KEEP_MS = 24 * 60 * 60 * 1000

const HEADER_PATH = '/headers/idempotency-key'

const CLAIM = `--[[ claim: take an Idempotency-Key before running its request
KEYS[1] record  hash  fp, state (running|failed|done), until (ms), token, answer
ARGV[1] fingerprint, ARGV[2] now (ms), ARGV[3] lease (ms), ARGV[4] keep (ms), ARGV[5] token
Returns: {'run'} (taken: run the request), {'done', answer}, {'reused'} (the key stands
  for another request), {'busy'} (a request with the key runs now)
]]
local record = KEYS[1]
local fp, state, till, answer = unpack(redis.call('HMGET', record, 'fp', 'state', 'until', 'answer'))
if fp then
  if fp ~= ARGV[1] then return {'reused'} end
  if state == 'done' then return {'done', answer} end
  if state == 'running' and tonumber(till) > tonumber(ARGV[2]) then return {'busy'} end
end
redis.call('HSET', record, 'fp', ARGV[1], 'state', 'running',
  'until', tonumber(ARGV[2]) + tonumber(ARGV[3]), 'token', ARGV[5])
redis.call('PEXPIRE', record, ARGV[4])
return {'run'}`

const RELEASE = `--[[ release: a request that failed gives its key back
KEYS[1] record  hash  as claim's
ARGV[1] the token it was claimed with, ARGV[2] 'free' (forget the key) or 'failed'
  (keep its fingerprint: the request may have done part of its work)
Returns: 1, or 0 when another request holds the key now (nothing changed)
]]
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
if ARGV[2] == 'free' then redis.call('DEL', KEYS[1])
else redis.call('HSET', KEYS[1], 'state', 'failed') end
return 1`

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
  const record = idempotentRequestKey(prefix, claim.key)
  const token = randomUUID()
  const [outcome, answer] = (await redisCall(
    redis.eval(
      CLAIM,
      1,
      record,
      claim.fingerprint,
      Date.now(),
      REQUEST_LEASE_MS,
      REQUEST_KEEP_MS,
      token,
    ),
  )) as [string, string?]
  if (outcome === 'reused') {
    const message = 'this idempotency key was given before for a different request'
    throw new ApiError(422, 'idempotency_key_reused', message, [{ path: HEADER_PATH, message }])
  }
  if (outcome === 'busy') {
    const message = 'a request with this idempotency key is still running: retry later'
    throw new ApiError(409, 'idempotency_key_in_use', message, [{ path: HEADER_PATH, message }])
  }
  if (outcome === 'done') {
    const stored = JSON.parse(answer ?? 'null') as Stored
    reply.header('idempotent-replayed', 'true').code(stored.status).send(stored.body)
    return
  }
  let body: T
  try {
    body = await o.run()
  } catch (err) {
    const mode = httpStatusOf(err as Error, request) < 500 ? 'free' : 'failed'
    // A release lost with Redis changes nothing: the lease runs out and frees the key.
    await redisCall(redis.eval(RELEASE, 1, record, token, mode)).catch(() => undefined)
    throw err
  }
  const stored: Stored = { status, body }
  await redisCall(
    redis
      .multi()
      .hset(record, 'state', 'done', 'answer', JSON.stringify(stored))
      .pexpire(record, REQUEST_KEEP_MS)
      .exec(),
  )
  reply.code(status).send(body)
}
