import type { Static, TSchema } from 'typebox'
import { DEFAULTS } from './defaults.js'
import { JOB_TYPE_PATTERN } from './schemas/names.js'
import { ConveyorError } from './errors.js'
import { isValidQueueName } from './keys.js'
import type { BackoffPolicy } from './schemas/backoff.js'
import { compileChecker, type Checker } from './validation.js'

/** Defaults a job type gives its jobs; an enqueue option overrides them one by one. */
export interface JobTypeDefaults {
  maxAttempts?: number
  backoff?: BackoffPolicy
  /** ms; 0 = no timeout */
  timeoutMs?: number
  priority?: number
}

export interface JobTypeDefinition<S extends TSchema = TSchema> {
  schema: S
  defaults?: JobTypeDefaults
  /** the queue its jobs go to, so that slow work does not hold up quick work; default "default" */
  queue?: string
  description?: string
}

const JOB_TYPE = new RegExp(JOB_TYPE_PATTERN)

export type JobTypeMap = Record<string, JobTypeDefinition>
export type JobTypeName<M extends JobTypeMap> = keyof M & string
export type PayloadOf<M extends JobTypeMap, K extends JobTypeName<M>> = Static<M[K]['schema']>

/**
 * The job types an application knows: each a schema (checked at enqueue and again when
 * a worker reads the job) and defaults. The map's type flows into `Queue` and `Worker`,
 * so that `enqueue('sms', …)` accepts only an SMS payload at compile time as at run time.
 */
export class JobRegistry<M extends JobTypeMap = JobTypeMap> {
  readonly types: Readonly<M>
  private readonly checkers = new Map<string, Checker<unknown>>()

  constructor(types: M) {
    this.types = types
    for (const [name, def] of Object.entries(types)) {
      if (!JOB_TYPE.test(name)) {
        throw new ConveyorError('config_invalid', `invalid job type name "${name}"`)
      }
      if (def.queue !== undefined && !isValidQueueName(def.queue)) {
        throw new ConveyorError(
          'config_invalid',
          `job type "${name}": invalid queue "${def.queue}"`,
        )
      }
      this.checkers.set(name, compileChecker(def.schema))
    }
  }

  has(type: string): type is JobTypeName<M> {
    return this.checkers.has(type)
  }

  /** Throws ConveyorError('unknown_job_type'), naming `${at}/type`, for an unregistered type. */
  assertType(type: string, at = ''): asserts type is JobTypeName<M> {
    if (!this.checkers.has(type)) throw unknownType(type, at)
  }

  /** The queue a job type's jobs go to. */
  queueOf(type: JobTypeName<M>): string {
    return this.definition(type).queue ?? DEFAULTS.queue
  }

  /** Every queue some job type goes to. */
  queues(): string[] {
    return [...new Set(this.names().map((t) => this.queueOf(t)))]
  }

  names(): JobTypeName<M>[] {
    return [...this.checkers.keys()]
  }

  definition<K extends JobTypeName<M>>(type: K): M[K] {
    const def = this.types[type]
    if (!def) throw unknownType(type)
    return def
  }

  /**
   * Returns the payload if valid; else throws ConveyorError naming the field: `${at}/type`
   * for an unknown type, `${at}/payload/…` for a bad payload.
   */
  parsePayload<K extends JobTypeName<M>>(type: K, payload: unknown, at = ''): PayloadOf<M, K> {
    const checker = this.checkers.get(type)
    if (!checker) throw unknownType(type, at)
    return checker.parse(payload, `${at}/payload`) as PayloadOf<M, K>
  }
}

function unknownType(type: string, at = ''): ConveyorError {
  return new ConveyorError('unknown_job_type', `unknown job type "${type}"`, {
    details: [{ path: `${at}/type`, message: `unknown job type "${type}"` }],
  })
}

/** Builds a registry; spread `builtinJobTypes` into the map to keep email, sms and convert. */
export function defineJobTypes<const M extends JobTypeMap>(types: M): JobRegistry<M> {
  return new JobRegistry(types)
}
