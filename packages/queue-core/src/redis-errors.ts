import { ConveyorError, isConveyorError } from './errors.js'

// What ioredis throws when it cannot reach the server: with enableOfflineQueue off a
// command fails at once instead of waiting for a reconnect, and commandTimeout bounds
// one that was sent into a dead connection. ioredis gives these no codes of its own,
// so this one place reads its messages; callers see only the ConveyorError.
const UNAVAILABLE_MESSAGES = [
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
  'None of startup nodes is available',
  'Cluster isn',
  'LOADING',
  'CLUSTERDOWN',
  'TRYAGAIN',
]
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
])

/** Whether an error means "Redis cannot be reached now" rather than a bug. */
export function isRedisUnavailable(err: unknown): boolean {
  if (isConveyorError(err, 'redis_unavailable')) return true
  if (!(err instanceof Error)) return false
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true
  return UNAVAILABLE_MESSAGES.some((m) => err.message.includes(m))
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
 * always: `redis_unavailable` when the server could not be reached (the cause kept),
 * `redis_write_refused` when it answered that it takes no writes now, `internal` for
 * anything else it answered (a bug).
 */
export function toConveyorError(err: unknown): ConveyorError {
  if (isConveyorError(err)) return err
  if (isRedisUnavailable(err)) {
    return new ConveyorError('redis_unavailable', 'Redis cannot be reached', { cause: err })
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
