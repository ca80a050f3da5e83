/** Codes the client gives when the server did not answer with an error of its own. */
export type ClientErrorCode = 'timeout' | 'network_error' | 'aborted' | 'invalid_response'

/**
 * Every failure of a call: `code` is the server's stable error code (`validation_failed`,
 * `job_not_found`, `unauthorized`, `rate_limited`, `redis_unavailable`, …) or one of
 * the client's own (`timeout`, `network_error`, `aborted`, `invalid_response`).
 */
export class ConveyorApiError extends Error {
  override readonly name = 'ConveyorApiError'
  readonly code: string
  /** the HTTP status; undefined when no answer came */
  readonly status: number | undefined
  /** for validation_failed: each field at fault, as a JSON pointer */
  readonly details: { path: string; message: string }[]
  /** given on 5xx answers: what to look for in the server's logs */
  readonly requestId: string | undefined

  constructor(options: {
    code: string
    message: string
    status?: number | undefined
    details?: { path: string; message: string }[] | undefined
    requestId?: string | undefined
    cause?: unknown
  }) {
    super(options.message, { cause: options.cause })
    this.code = options.code
    this.status = options.status
    this.details = options.details ?? []
    this.requestId = options.requestId
  }
}

/** Whether `err` is a ConveyorApiError, optionally with the given code. */
export function isConveyorApiError(err: unknown, code?: string): err is ConveyorApiError {
  return err instanceof ConveyorApiError && (code === undefined || err.code === code)
}
