import { JobId, QueueName } from '@conveyor/queue-core'
import Type from 'typebox'

export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'stable code, e.g. validation_failed, job_not_found' }),
    message: Type.Optional(Type.String()),
    details: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String({ description: 'JSON pointer to the field, e.g. /payload/to' }),
          message: Type.String(),
        }),
      ),
    ),
    requestId: Type.Optional(Type.String({ description: 'given on 5xx answers, for the logs' })),
  },
  { description: 'An error' },
)

export const JobIdParams = Type.Object({ id: JobId })

export const QueueParams = Type.Object({ queue: QueueName })

/**
 * How deep an offset may page: a list is walked to its offset, so an uncapped one costs
 * Redis time in proportion (cursor paging goes deeper at constant cost).
 */
export const MAX_OFFSET = 100_000

export const PageQuery = {
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
}

/** What an Idempotency-Key adds to an enqueue: 422, the key stood for another request. */
export const keyReusedError = {
  422: ErrorResponse,
}

/** ...and to a keyed request that is not one enqueue: 409, its first request still runs. */
export const keyedErrors = {
  409: ErrorResponse,
  ...keyReusedError,
}

/** The errors every route may answer, for the OpenAPI document. */
export const commonErrors = {
  400: ErrorResponse,
  401: ErrorResponse,
  429: ErrorResponse,
  500: ErrorResponse,
  503: ErrorResponse,
}
