import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import type { Validator } from 'typebox/compile'
import { ConveyorError, type FieldIssue } from './errors.js'

/** A compiled TypeBox schema that reports failures as a ConveyorError naming each field. */
export interface Checker<T> {
  check(value: unknown): value is T
  /** Returns the value if valid, else throws ConveyorError('validation_failed') naming `${at}/field`. */
  parse(value: unknown, at?: string): T
  issues(value: unknown, at?: string): FieldIssue[]
}

export function compileChecker<T>(schema: TSchema): Checker<T> {
  const validator: Validator = Compile(schema)
  const issues = (value: unknown, at = ''): FieldIssue[] => {
    const out: FieldIssue[] = []
    const seen = new Set<string>()
    for (const e of validator.Errors(value)) {
      // "schema is false" is how TypeBox reports a property that additionalProperties
      // forbids; the additionalProperties error itself names the same fields.
      if (e.keyword === 'boolean') continue
      let path = `${at}${e.instancePath}`
      let message = e.message
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues
      if (e.keyword === 'enum' && Array.isArray(allowed)) {
        message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
      }
      if (e.keyword === 'additionalProperties') {
        const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? []
        for (const name of extra) push(`${path}/${name}`, 'is not allowed')
        continue
      }
      if (e.keyword === 'required') {
        const missing = (e.params as { requiredProperties?: string[] }).requiredProperties ?? []
        for (const name of missing) push(`${path}/${name}`, 'is required')
        continue
      }
      if (path === '') path = '/'
      push(path, message)
    }
    return out
    function push(path: string, message: string) {
      const key = `${path} ${message}`
      if (seen.has(key)) return
      seen.add(key)
      out.push({ path, message })
    }
  }
  return {
    check: (value: unknown): value is T => validator.Check(value),
    issues,
    parse(value: unknown, at = ''): T {
      if (validator.Check(value)) return value as T
      const details = issues(value, at)
      const summary = details
        .slice(0, 3)
        .map((d) => `${d.path} ${d.message}`)
        .join('; ')
      throw new ConveyorError('validation_failed', `invalid input: ${summary}`, { details })
    },
  }
}
