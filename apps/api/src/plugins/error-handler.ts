import { isConveyorError, type ConveyorErrorCode, type FieldIssue } from '@conveyor/queue-core'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from '../api-error.js'

interface ErrorBody {
  error: string
  message?: string
  details?: FieldIssue[]
  requestId?: string
}

function statusOf(code: ConveyorErrorCode): number {
  switch (code) {
    case 'validation_failed':
    case 'unknown_job_type':
      return 400
    case 'job_not_found':
    case 'queue_not_found':
    case 'schedule_not_found':
    case 'flow_not_found':
    case 'batch_not_found':
      return 404
    case 'invalid_state':
    case 'schedule_file_managed':
    case 'schedule_conflict':
    case 'job_cancelled':
      return 409
    case 'idempotency_key_reused':
      return 422
    case 'redis_unavailable':
    case 'outcome_unknown':
    case 'redis_write_refused':
    case 'shutting_down':
      return 503
    case 'lease_lost':
    case 'job_timeout':
    case 'permanent_failure':
    case 'poison_message':
    case 'no_handler':
    case 'config_invalid':
    case 'result_too_large':
    case 'internal':
      return 500
  }
}

// Fastify's and its plugins' own 4xx errors, by the stable code the client sees.
const CLIENT_ERRORS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'unsupported_media_type',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
}

/**
 * What a 503 tells the client: `redis_unavailable` (nothing was done: retry at will),
 * `outcome_unknown` (a write was sent and no answer came: it may have happened, or may
 * still; retry only with the same Idempotency-Key), `redis_write_refused` (Redis takes
 * no writes now: out of memory, a read-only replica), `shutting_down`. A read that got
 * no answer changed nothing, so it is `redis_unavailable`.
 */
function unavailable(code: ConveyorErrorCode, request: FastifyRequest): ErrorBody {
  if (code === 'outcome_unknown') {
    if (request.method === 'GET' || request.method === 'HEAD') return { error: 'redis_unavailable' }
    return {
      error: code,
      message:
        'Redis did not answer: the request may or may not have taken effect. Retry with the same ' +
        'Idempotency-Key to be sure it happens once.',
    }
  }
  return { error: code === 'shutting_down' ? 'redis_unavailable' : code }
}

/** Turns any thrown error into a status and a JSON body; 5xx bodies never carry internals. */
function toAnswer(err: FastifyError | Error, request: FastifyRequest): [number, ErrorBody] {
  const validation = (err as FastifyError).validation
  if (validation) {
    const details = validation.map((v) => ({
      path: v.instancePath === '' ? '/' : v.instancePath,
      message: v.message ?? 'is invalid',
    }))
    return [400, { error: 'validation_failed', message: err.message, details }]
  }
  if (isConveyorError(err)) {
    const status = statusOf(err.code)
    if (status === 503) return [503, unavailable(err.code, request)]
    if (status >= 500) return [500, { error: 'internal_error', requestId: request.id }]
    const body: ErrorBody = { error: err.code, message: err.message }
    if (err.details.length > 0) body.details = err.details
    return [status, body]
  }
  if (err instanceof ApiError) {
    const body: ErrorBody = { error: err.code, message: err.message }
    if (err.details.length > 0) body.details = err.details
    return [err.statusCode, body]
  }
  const status = (err as FastifyError).statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    // A multipart request that is not multipart is a media type problem, whatever
    // status the plugin picked.
    const code = CLIENT_ERRORS[status] ?? 'bad_request'
    return [status === 406 ? 415 : status, { error: code, message: err.message }]
  }
  return [500, { error: 'internal_error', requestId: request.id }]
}

/** The status a thrown error is answered with. */
export function httpStatusOf(err: FastifyError | Error, request: FastifyRequest): number {
  return toAnswer(err, request)[0]
}

/** The one error handler: ConveyorError codes, validation and Redis outages to statuses. */
export const errorHandlerPlugin = fp(
  (app, _options, done) => {
    app.setErrorHandler((err: FastifyError | Error, request, reply: FastifyReply) => {
      const [status, body] = toAnswer(err, request)
      if (status >= 500 && status !== 503) request.log.error({ err }, 'request failed')
      else if (status === 503) request.log.warn({ err: { message: err.message } }, 'unavailable')
      else request.log.info({ code: body.error, message: err.message }, 'request rejected')
      // Stop reading a body nobody will use (an upload over the limit) instead of
      // swallowing the rest of it.
      if (status === 413) reply.header('connection', 'close')
      // Both are passing conditions: a client may try again, a little later.
      if (status === 503)
        reply.header('retry-after', body.error === 'redis_write_refused' ? '5' : '1')
      return reply.code(status).send(body)
    })
    app.setNotFoundHandler((request, reply) =>
      reply
        .code(404)
        .send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
    )
    done()
  },
  { name: 'error-handler' },
)
