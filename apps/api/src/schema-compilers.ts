import { compileChecker } from '@conveyor/queue-core'
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify'
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'

/**
 * Marks a schema that documents input a route reads itself (a multipart body is a
 * stream the route checks part by part), so it feeds OpenAPI but not validation.
 */
export const DOCS_ONLY = 'x-docs-only'

/**
 * Validates route input with queue-core's checker, so that a field at fault is named
 * the same way (a JSON pointer: `/to`, `/jobs/3/payload/to`) whether the route schema
 * or a job type's schema caught it. Query strings, params and headers arrive as
 * text and are converted to the schema's types first.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  if ((schema as { [DOCS_ONLY]?: boolean })[DOCS_ONLY] === true)
    return (value: unknown) => ({ value })
  const checker = compileChecker(schema)
  return (value: unknown) => {
    const converted = httpPart === 'body' ? value : convertText(schema, value)
    if (checker.check(converted)) return { value: converted }
    const error: FastifySchemaValidationError[] = checker.issues(converted).map((issue) => ({
      keyword: 'schema',
      instancePath: issue.path,
      schemaPath: '',
      params: {},
      message: issue.message,
    }))
    return { error }
  }
}

const INTEGER_TEXT = /^-?(0|[1-9][0-9]{0,15})$/

/**
 * Converts text fields (query, params, headers) to the schema's types, except that an
 * integer field converts only from an integer written plainly: TypeBox would truncate
 * `1.5` to 1 and read `1e20` as a number, so a caller's mistake would pass silently.
 * Left as text, the checker names the field ("must be integer").
 */
function convertText(schema: TSchema, value: unknown): unknown {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties
  if (properties === undefined || typeof value !== 'object' || value === null) {
    return Value.Convert(schema, value)
  }
  const kept: Record<string, unknown> = {}
  const input = value as Record<string, unknown>
  for (const [name, property] of Object.entries(properties)) {
    const text = input[name]
    if (property.type === 'integer' && typeof text === 'string' && !INTEGER_TEXT.test(text)) {
      kept[name] = text
    }
  }
  const converted = Value.Convert(schema, value)
  if (Object.keys(kept).length === 0) return converted
  return { ...(converted as Record<string, unknown>), ...kept }
}

/**
 * Answers are written with JSON.stringify: the response schemas document the API
 * (OpenAPI) but do not filter fields, so a field added to JobRecord is never silently
 * dropped from an answer.
 */
export const serializerCompiler = () => (data: unknown) => JSON.stringify(data)
