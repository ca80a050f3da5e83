import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { redisCall } from '@conveyor/queue-core'
import { ApiError, fieldError } from '../api-error.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** set while this request owns an idempotency key's pending marker */
    idempotency?: { redisKey: string; fingerprint: string }
  }
}

export interface IdempotencyPluginOptions {
  prefix: string
}

interface StoredAnswer {
  state: 'pending' | 'done'
  fingerprint: string
  status?: number
  contentType?: string
  body?: string
}

const HEADER = 'idempotency-key'
const DONE_TTL_S = 24 * 3600
// A pending marker outlives its request only if the process died mid-request; it must
// then not block the key for a whole day. An hour covers the slowest upload.
const PENDING_TTL_S = 3600

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * What "the same request" means. JSON bodies are compared as parsed and re-serialised.
 * A multipart body is a stream the route has not read yet, so it is known here only
 * by its length: a repeat is recognised by route, query and Content-Length.
 */
function fingerprintOf(request: FastifyRequest): string {
  const body = request.isMultipart()
    ? `multipart:${request.headers['content-length'] ?? 'chunked'}`
    : serialise(request.body ?? null)
  return sha256(`${request.method} ${request.url}\n${body}`)
}

// This hook runs before the body is validated: a body nested deeper than the stack
// (JSON.parse takes 10,000 levels, JSON.stringify may not) is the client's fault, not a 500.
function serialise(body: unknown): string {
  try {
    return JSON.stringify(body)
  } catch (err) {
    if (err instanceof RangeError) {
      throw new ApiError(400, 'bad_request', 'the body is nested too deeply')
    }
    throw err
  }
}

/**
 * `Idempotency-Key` on any POST: the first answer is stored for 24 h and replayed for a
 * repeat with the same body; the key with another body is 422, and while the first
 * request is still running, 409. 5xx answers are not stored, so a retry can succeed.
 */
export const idempotencyPlugin = fp<IdempotencyPluginOptions>(
  (app, options, done) => {
    app.addHook('preValidation', async (request, reply) => {
      if (request.method !== 'POST') return
      const key = request.headers[HEADER]
      if (key === undefined) return
      if (typeof key !== 'string' || key.length === 0 || key.length > 256) {
        throw fieldError(`/headers/${HEADER}`, 'must be 1 to 256 characters, given once')
      }
      const redisKey = `${options.prefix}:api:idem:${sha256(key)}`
      const fingerprint = fingerprintOf(request)
      const pending: StoredAnswer = { state: 'pending', fingerprint }
      // Two tries: the stored answer may expire between the SET NX and the GET.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const claimed = await redisCall(
          app.redis.set(redisKey, JSON.stringify(pending), 'EX', PENDING_TTL_S, 'NX'),
        )
        if (claimed === 'OK') {
          request.idempotency = { redisKey, fingerprint }
          return
        }
        const raw = await redisCall(app.redis.get(redisKey))
        if (raw === null) continue
        const stored = JSON.parse(raw) as StoredAnswer
        if (stored.fingerprint !== fingerprint) {
          throw new ApiError(
            422,
            'idempotency_key_reused',
            'this Idempotency-Key was used with a different request',
          )
        }
        if (stored.state === 'pending') {
          throw new ApiError(
            409,
            'idempotency_key_in_flight',
            'a request with this Idempotency-Key is still being processed',
          )
        }
        reply
          .code(stored.status ?? 200)
          .header('content-type', stored.contentType ?? 'application/json; charset=utf-8')
          .header('idempotent-replayed', 'true')
        return reply.send(stored.body)
      }
      throw new ApiError(409, 'idempotency_key_in_flight', 'the Idempotency-Key is contended')
    })

    app.addHook('onSend', async (request, reply, payload) => {
      const claim = request.idempotency
      if (!claim) return payload
      request.idempotency = undefined
      const status = reply.statusCode
      try {
        if (status >= 500 || typeof payload !== 'string') {
          await app.redis.del(claim.redisKey)
        } else {
          const contentType = reply.getHeader('content-type')
          const done: StoredAnswer = {
            state: 'done',
            fingerprint: claim.fingerprint,
            status,
            body: payload,
            contentType: typeof contentType === 'string' ? contentType : undefined,
          }
          await app.redis.set(claim.redisKey, JSON.stringify(done), 'EX', DONE_TTL_S)
        }
      } catch (err) {
        request.log.warn({ err }, 'could not store the idempotent answer')
      }
      return payload
    })
    done()
  },
  { name: 'idempotency', dependencies: ['redis'] },
)
