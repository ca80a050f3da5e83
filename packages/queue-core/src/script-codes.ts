import { ConveyorError } from './errors.js'

/**
 * What the operator scripts answer for one job, as lua/includes/codes.lua names them
 * (test/script-codes.test.ts holds the two tables equal).
 */
export const SCRIPT_CODES = {
  done: 1,
  not_found: 0,
  invalid_state: -1,
  running: -2,
  /** a running job asked to stop: its worker ends it cancelled */
  cancelling: 2,
} as const

export type ScriptCode = (typeof SCRIPT_CODES)[keyof typeof SCRIPT_CODES]

/** The one place a script's code becomes an outcome: nothing for done, else the error. */
export function expectDone(code: number, id: string, action: string): void {
  switch (code as ScriptCode) {
    case SCRIPT_CODES.done:
    case SCRIPT_CODES.cancelling:
      return
    case SCRIPT_CODES.not_found:
      throw new ConveyorError('job_not_found', `no job "${id}"`)
    case SCRIPT_CODES.invalid_state:
      throw new ConveyorError('invalid_state', `job "${id}": ${action}`)
    case SCRIPT_CODES.running:
      throw new ConveyorError('invalid_state', `job "${id}" is running: ${action}`)
    default:
      throw new ConveyorError('internal', `job "${id}": unknown script answer ${code}`)
  }
}
