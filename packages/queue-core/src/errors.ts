/** Every error Conveyor raises carries one of these codes. */
export type ConveyorErrorCode =
  | 'validation_failed'
  | 'unknown_job_type'
  | 'job_not_found'
  | 'queue_not_found'
  | 'invalid_state'
  | 'idempotency_key_reused'
  | 'lease_lost'
  | 'job_timeout'
  | 'permanent_failure'
  | 'poison_message'
  | 'result_too_large'
  | 'no_handler'
  | 'redis_unavailable'
  | 'outcome_unknown'
  | 'redis_write_refused'
  | 'internal'
  | 'shutting_down'
  | 'config_invalid'
  | 'schedule_not_found'
  /** a schedule from SCHEDULES_FILE: the file is its source of truth */
  | 'schedule_file_managed'
  /** the name is taken, or the schedule kept changing under a write */
  | 'schedule_conflict'
  | 'flow_not_found'
  | 'batch_not_found'
  /** a job's run was stopped by a cancel: it ends cancelled, not retried */
  | 'job_cancelled'

/** One problem with an input: a JSON pointer to the field and what is wrong with it. */
export interface FieldIssue {
  path: string
  message: string
}

export interface ConveyorErrorOptions {
  details?: FieldIssue[]
  cause?: unknown
}

/**
 * The one error type of Conveyor: a stable string `code` for programs, a message for
 * people, and for validation failures the fields at fault.
 */
export class ConveyorError extends Error {
  override readonly name = 'ConveyorError'
  readonly code: ConveyorErrorCode
  readonly details: FieldIssue[]

  constructor(code: ConveyorErrorCode, message: string, options: ConveyorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details ?? []
  }

  /** Thrown by a handler, fails the job at once: no retries, straight to dead-letter. */
  static permanent(message: string, cause?: unknown): ConveyorError {
    return new ConveyorError('permanent_failure', message, { cause })
  }
}

export function isConveyorError(err: unknown, code?: ConveyorErrorCode): err is ConveyorError {
  return err instanceof ConveyorError && (code === undefined || err.code === code)
}
