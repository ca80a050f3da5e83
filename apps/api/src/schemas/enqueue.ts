import { EnqueueOptionsSchema, Priority } from '@conveyor/queue-core'
import { jobRegistry } from '@conveyor/service-kit'
import Type, { type Static } from 'typebox'

export const EnqueueStatus = Type.Union([Type.Literal('queued'), Type.Literal('scheduled')])

export const Accepted = Type.Object({
  id: Type.String(),
  status: EnqueueStatus,
  statusUrl: Type.String({ description: '/jobs/<id>' }),
  created: Type.Boolean({
    description:
      'false when the idempotency key or the dedup key matched a job that exists: id is that job',
  }),
  dedup: Type.Optional(
    Type.Union([Type.Literal('matched'), Type.Literal('debounced')], {
      description:
        "the dedup key matched a live job (created: false); 'debounced': this payload replaced its payload and pushed its run time",
    }),
  ),
})
export type Accepted = Static<typeof Accepted>

export const RunAt = Type.Union(
  [
    Type.Integer({ minimum: 0, description: 'ms since the epoch' }),
    Type.String({ format: 'date-time', description: 'ISO 8601 date-time' }),
  ],
  { description: 'when to run; in the past or absent means now' },
)

/** POST /jobs: any registered job type, its payload checked by the type's own schema. */
export const JobRequest = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 64,
      description: `a registered job type: ${jobRegistry.names().join(', ')}`,
    }),
    payload: Type.Unknown({ description: "checked against the job type's schema" }),
    delayMs: EnqueueOptionsSchema.properties.delayMs,
    runAt: Type.Optional(RunAt),
    priority: Type.Optional(Priority),
    maxAttempts: EnqueueOptionsSchema.properties.maxAttempts,
    group: EnqueueOptionsSchema.properties.group,
    dedup: EnqueueOptionsSchema.properties.dedup,
  },
  { additionalProperties: false },
)
export type JobRequest = Static<typeof JobRequest>

export const MAX_BATCH = 1000

export const BatchRequest = Type.Object(
  { jobs: Type.Array(JobRequest, { minItems: 1, maxItems: MAX_BATCH }) },
  { additionalProperties: false },
)

export const BatchAccepted = Type.Object({ jobs: Type.Array(Accepted) })
