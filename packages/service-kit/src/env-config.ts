import { compileChecker, ConveyorError } from '@conveyor/queue-core'
import type { Static, TObject } from 'typebox'
import { Value } from 'typebox/value'

export type Env = Record<string, string | undefined>

/**
 * Reads a service's configuration from environment variables, once, at start-up:
 * picks the variables the schema names, fills defaults, converts strings to numbers
 * and booleans, and checks the result. Throws ConveyorError('config_invalid') whose
 * message lists every bad variable, so the process can print it and exit.
 */
export function loadConfig<S extends TObject>(service: string, schema: S, env: Env): Static<S> {
  const picked: Record<string, string> = {}
  for (const name of Object.keys(schema.properties)) {
    const value = env[name]
    // An empty variable (FOO=) means "not set", as it does to most shells and tools.
    if (value !== undefined && value !== '') picked[name] = value
  }
  const value = Value.Convert(schema, Value.Default(schema, picked))
  const checker = compileChecker<Static<S>>(schema)
  if (checker.check(value)) return value
  const lines = checker.issues(value).map((issue) => {
    const name = issue.path.replace(/^\//, '')
    const got = picked[name]
    return `  ${name}: ${issue.message}${got === undefined ? '' : ` (got "${got}")`}`
  })
  throw new ConveyorError(
    'config_invalid',
    `${service}: invalid configuration\n${lines.join('\n')}`,
  )
}

/** A comma-separated list variable as an array, blanks dropped. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** A URL with its password replaced, fit for a log line. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '<invalid url>'
  }
}
