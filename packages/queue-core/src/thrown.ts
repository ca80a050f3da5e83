import { isConveyorError } from './errors.js'

/** Error messages and stacks stored with a job are cut to this many characters each. */
export const MAX_ERROR_TEXT = 8_192

function describe(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'object' && value !== null) {
    try {
      const json = JSON.stringify(value)
      if (json !== undefined && json !== '{}') return json
    } catch {
      // a cycle or a throwing toJSON: fall through to String()
    }
  }
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/**
 * Whatever a handler threw, as an Error: an Error as it is; anything else (a string, a
 * plain object, null) as an Error whose message shows it (objects as JSON, so that
 * `throw { code: 42 }` is stored as `{"code":42}`, not `[object Object]`).
 */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  const err = new Error(describe(thrown))
  const code = (thrown as { code?: unknown } | null)?.code
  if (typeof code === 'string') (err as Error & { code?: string }).code = code
  return err
}

function cut(text: string): string {
  return text.length <= MAX_ERROR_TEXT
    ? text
    : `${text.slice(0, MAX_ERROR_TEXT)}… (${text.length - MAX_ERROR_TEXT} more characters)`
}

/** The error as stored with the job: enough to debug it from the dead-letter list, bounded in size. */
export function serializeError(error: Error, attempt: number): string {
  let message: string
  let stack: string | undefined
  let code: unknown
  try {
    message = typeof error.message === 'string' ? error.message : describe(error.message)
    stack = typeof error.stack === 'string' ? error.stack : undefined
    code = isConveyorError(error) ? error.code : (error as { code?: unknown }).code
  } catch {
    message = 'the error could not be read'
  }
  return JSON.stringify({
    message: cut(message),
    ...(typeof code === 'string' ? { code: code.slice(0, 128) } : {}),
    ...(stack ? { stack: cut(stack) } : {}),
    attempt,
    failedAt: Date.now(),
  })
}
