import { ConveyorError, isConveyorError } from './errors.js'

// What ioredis throws when it cannot reach the server, in two kinds. ioredis gives
// these no codes of its own, so this one place reads its messages; callers see only
// the ConveyorError.
// Not sent: with enableOfflineQueue off a command fails at once instead of waiting for
// a reconnect, and a connection that never opened carried nothing. Redis did nothing.
const NOT_SENT_MESSAGES = [
  "Stream isn't writeable",
  'None of startup nodes is available',
  'LOADING',
  'CLUSTERDOWN',
  'TRYAGAIN',
]
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'])
// Sent, no answer: commandTimeout ended the wait for a command already on the socket,
// or the connection broke under it. Redis may have run it, or may run it when it wakes
// (a stalled server reads its socket late): the outcome is unknown.
const UNANSWERED_MESSAGES = [
  'Command timed out',
  'Connection is closed',
  'Reached the max retries per request limit',
  'Cluster isn',
]
const UNANSWERED_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE'])

function hasCode(err: Error, codes: ReadonlySet<string>): boolean {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && codes.has(code)
}

/** Whether a failed call was sent to Redis without an answer coming back. */
function unanswered(err: Error): boolean {
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true
  return hasCode(err, UNANSWERED_CODES) || UNANSWERED_MESSAGES.some((m) => err.message.includes(m))
}

/** Whether an error means "Redis cannot be reached now" (either kind) rather than a bug. */
export function isRedisUnavailable(err: unknown): boolean {
  if (isConveyorError(err, 'redis_unavailable') || isConveyorError(err, 'outcome_unknown'))
    return true
  if (!(err instanceof Error)) return false
  if (unanswered(err) || hasCode(err, NOT_SENT_CODES)) return true
  return NOT_SENT_MESSAGES.some((m) => err.message.includes(m))
}

// Redis answered but will not write: out of memory under `noeviction`, a read-only
// replica, a failed snapshot with stop-writes-on-bgsave-error, too few replicas.
const WRITE_REFUSED = /^(OOM|READONLY|MISCONF|NOREPLICAS)\b/

/** Whether Redis refused to write (answered, but took nothing). */
export function isWriteRefused(err: unknown): boolean {
  if (isConveyorError(err, 'redis_write_refused')) return true
  return err instanceof Error && WRITE_REFUSED.test(err.message.replace(/^ERR\s+/, ''))
}

/**
 * What a public method of queue-core throws for a failed Redis call: a ConveyorError
 * always: `redis_unavailable` when the command never reached the server (the cause kept),
 * `outcome_unknown` when it was sent and no answer came (it may have run, or may yet),
 * `redis_write_refused` when it answered that it takes no writes now, `internal` for
 * anything else it answered (a bug).
 */
export function toConveyorError(err: unknown): ConveyorError {
  if (isConveyorError(err)) return err
  if (isRedisUnavailable(err)) {
    if (err instanceof Error && unanswered(err)) {
      return new ConveyorError(
        'outcome_unknown',
        'Redis did not answer a command it may have run (or may still run)',
        { cause: err },
      )
    }
    return new ConveyorError('redis_unavailable', 'Redis cannot be reached: nothing was done', {
      cause: err,
    })
  }
  const message = err instanceof Error ? err.message : String(err)
  if (isWriteRefused(err)) {
    return new ConveyorError('redis_write_refused', `Redis refused to write: ${message}`, {
      cause: err,
    })
  }
  return new ConveyorError('internal', `Redis refused a command: ${message}`, { cause: err })
}

/** Runs a Redis call, rethrowing its failure as a ConveyorError (see toConveyorError). */
export async function redisCall<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (err) {
    throw toConveyorError(err)
  }
}

/**
 * Runs a pipeline and returns each command's reply, rethrowing the first failure, the
 * pipeline's own or a command's, as a ConveyorError.
 */
export async function execPipeline(pipeline: {
  exec(): Promise<[Error | null, unknown][] | null>
}): Promise<unknown[]> {
  const replies = await redisCall(pipeline.exec())
  return (replies ?? []).map(([err, value]) => {
    if (err) throw toConveyorError(err)
    return value
  })
}
