import type { FieldIssue } from '@conveyor/queue-core'

/**
 * An HTTP answer that is not a queue-core failure (a file too large, an unknown queue,
 * a reused idempotency key). queue-core's ConveyorError stays the error of the domain;
 * this one only carries the status and the stable `error` code the client sees.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly statusCode: number
  readonly code: string
  readonly details: FieldIssue[]

  constructor(statusCode: number, code: string, message: string, details: FieldIssue[] = []) {
    super(message)
    this.statusCode = statusCode
    this.code = code
    this.details = details
  }
}

/** 400 naming one field, in the same shape as a schema failure. */
export function fieldError(path: string, message: string): ApiError {
  return new ApiError(400, 'validation_failed', `${path} ${message}`, [{ path, message }])
}
