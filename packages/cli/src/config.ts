import Type, { type Static } from 'typebox'
import { Value } from 'typebox/value'
import { UsageError } from './exit-codes.js'

/** The environment the CLI reads (the flags --url and --api-key win over it). */
export const CliEnv = Type.Object({
  CONVEYOR_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:8080' }),
  CONVEYOR_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
})
export type CliEnv = Static<typeof CliEnv>

/**
 * Reads and checks the CLI's variables; a bad one is a UsageError naming it. (Not
 * service-kit's loadConfig: it would load the services' logger and Redis client, a
 * second of start-up for every command.)
 */
export function loadCliEnv(env: NodeJS.ProcessEnv): CliEnv {
  const picked: Record<string, string> = {}
  for (const name of Object.keys(CliEnv.properties)) {
    const value = env[name]
    if (value !== undefined && value !== '') picked[name] = value
  }
  const value = Value.Default(CliEnv, picked)
  if (Value.Check(CliEnv, value)) return value
  const problems = [...Value.Errors(CliEnv, value)].map(
    (e) => `${e.instancePath.replace(/^\//, '')}: ${e.message}`,
  )
  throw new UsageError(`invalid environment: ${problems.join('; ')}`)
}
