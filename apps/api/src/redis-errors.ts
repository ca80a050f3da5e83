import { isConveyorError } from '@conveyor/queue-core'

// What ioredis throws when it cannot reach the server: with enableOfflineQueue off a
// command fails at once instead of waiting for a reconnect, and commandTimeout bounds
// one that was sent into a dead connection.
const UNAVAILABLE_MESSAGES = [
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
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

/** Whether an error means "Redis cannot be reached now" (answered 503), not a bug (500). */
export function isRedisUnavailable(err: unknown): boolean {
  if (isConveyorError(err, 'redis_unavailable')) return true
  if (!(err instanceof Error)) return false
  if (err.name === 'MaxRetriesPerRequestError') return true
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true
  return UNAVAILABLE_MESSAGES.some((m) => err.message.includes(m))
}
