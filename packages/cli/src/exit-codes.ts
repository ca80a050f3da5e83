import { isConveyorApiError } from '@conveyor/client'

/**
 * What `conveyor` exits with, so scripts can tell outcomes apart:
 * 0 done; 1 the job it waited for ended dead or cancelled; 2 bad usage (unknown
 * command or flag, a payload that is not JSON, a bad environment); 3 not found (a job,
 * a queue, or a route this server does not have); 4 the server refused the request
 * (validation, authentication, a conflict, the rate limit); 5 the server could not be
 * reached, timed out or failed.
 */
export const EXIT = {
  ok: 0,
  jobFailed: 1,
  usage: 2,
  notFound: 3,
  refused: 4,
  unavailable: 5,
} as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** A mistake in how the CLI was called. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The exit code for an error thrown by a command. */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof UsageError) return EXIT.usage
  if (!isConveyorApiError(err)) return EXIT.unavailable
  const status = err.status
  if (status === undefined || status >= 500) return EXIT.unavailable
  if (status === 404) return EXIT.notFound
  return EXIT.refused
}
