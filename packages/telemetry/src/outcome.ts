import { isConveyorError } from '@conveyor/queue-core'

export type AttemptOutcome = 'completed' | 'retrying' | 'dead' | 'abandoned'

// The worker's rule for a failed attempt (queue-core job-runner): these codes give the
// job back without counting a failure, these end it at once. A test holds the two
// together by comparing a span's outcome with the job's state afterwards.
const ABANDON_CODES: readonly string[] = ['lease_lost', 'shutting_down']
const FINAL_CODES: readonly string[] = ['permanent_failure', 'poison_message']

/** What becomes of a job whose attempt `attempt` of `maxAttempts` failed with `error`. */
export function failureOutcome(
  error: unknown,
  attempt: number,
  maxAttempts: number,
): Exclude<AttemptOutcome, 'completed'> {
  if (isConveyorError(error) && ABANDON_CODES.includes(error.code)) return 'abandoned'
  if (attempt >= maxAttempts) return 'dead'
  if (isConveyorError(error) && FINAL_CODES.includes(error.code)) return 'dead'
  return 'retrying'
}
