import { createHash } from 'node:crypto'
import type { EnqueueOptions } from '@conveyor/queue-core'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError, fieldError } from '../api-error.js'

/** A request's Idempotency-Key, scoped to the API key that sent it. */
export interface IdempotencyClaim {
  /** sha256 of the API key's id and the header: what queue-core stores */
  key: string
  /**
   * sha256 of the request as canonical JSON, worked out when a route first needs it
   * (after its own checks: an oversize batch is refused before it is hashed), or set
   * by the route (uploads: the file's digest)
   */
  fingerprint: string | undefined
}

declare module 'fastify' {
  interface FastifyRequest {
    /** set when the request carries an Idempotency-Key */
    idempotency?: IdempotencyClaim
  }
}

const HEADER = 'idempotency-key'

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** JSON with every object's keys sorted: the same value, however its keys were ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** What "the same request" means for a JSON body: route and body, key order aside. */
export function requestFingerprint(request: FastifyRequest, body: unknown): string {
  try {
    return sha256(
      `${request.method} ${request.routeOptions.url ?? request.url}\n${canonical(body)}`,
    )
  } catch (err) {
    // Nested deeper than the stack: JSON.parse takes 10,000 levels, recursion may not.
    if (err instanceof RangeError)
      throw new ApiError(400, 'bad_request', 'the body is nested too deeply')
    throw err
  }
}

/** How many times the request sent `name`: Node joins repeats into one value. */
function headerCount(request: FastifyRequest, name: string): number {
  const raw = request.raw.rawHeaders
  let n = 0
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === name) n += 1
  return n
}

/**
 * The enqueue options that make a keyed request idempotent: the key (index `i` of a
 * batch gets its own) and the request's fingerprint. Empty for an unkeyed request.
 */
export function idempotentOptions(
  request: FastifyRequest,
  index?: number,
): Pick<EnqueueOptions, 'idempotencyKey' | 'idempotencyFingerprint'> {
  const claim = request.idempotency
  if (!claim) return {}
  if (claim.fingerprint === undefined && !request.isMultipart()) {
    claim.fingerprint = requestFingerprint(request, request.body)
  }
  const key = index === undefined ? claim.key : `${claim.key}:${index}`
  return claim.fingerprint === undefined
    ? { idempotencyKey: key }
    : { idempotencyKey: key, idempotencyFingerprint: claim.fingerprint }
}

/**
 * `Idempotency-Key` on a POST that enqueues: queue-core writes the key with the job in
 * the same atomic step (its enqueue script), so a retry after any failure (a 503, a
 * timeout, the API dying mid-request) finds the one job, and nothing is left pending to
 * lock the key. A key is scoped to the API key that sent it, and stands for its request:
 * the same key with another body is refused (422). The key lives as long as its job.
 * This hook only checks the header and works out the claim; the routes pass it on.
 * POSTs that are not one enqueue (flows, batches) keep their answer under the key
 * instead: idempotent-requests.ts.
 */
export const idempotencyPlugin = fp(
  (app, _options, done) => {
    // A sync hook with a callback: the check never waits on anything.
    app.addHook('preValidation', (request, _reply, next) => {
      if (request.method !== 'POST') return next()
      const value = request.headers[HEADER]
      if (value === undefined) return next()
      if (typeof value !== 'string' || headerCount(request, HEADER) > 1) {
        return next(fieldError(`/headers/${HEADER}`, 'must be given once'))
      }
      if (value.length === 0 || value.length > 256) {
        return next(fieldError(`/headers/${HEADER}`, 'must be 1 to 256 characters'))
      }
      const scope = request.apiKeyId ?? 'anonymous'
      request.idempotency = {
        key: sha256(`${scope}\u0000${value}`),
        fingerprint: undefined,
      }
      next()
    })
    done()
  },
  { name: 'idempotency' },
)
