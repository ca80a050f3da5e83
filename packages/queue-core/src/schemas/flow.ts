import Type, { type Static } from 'typebox'
import { BackoffPolicy } from './backoff.js'
import { JobId, Priority } from './envelope.js'
import { JobState } from './job-record.js'

/** The most jobs one flow may hold. */
export const MAX_FLOW_JOBS = 10_000

export const FLOW_NODE_PATTERN = '^[A-Za-z0-9_.-]{1,64}$'
export const FlowNodeId = Type.String({
  pattern: FLOW_NODE_PATTERN,
  description: "a job's id within its flow, named by other jobs' dependsOn",
})

/** The options a job of a flow may take: it runs when its parents are done, so no delay, id or key of its own. */
export const FlowJobOptions = Type.Object(
  {
    priority: Type.Optional(Priority),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    backoff: Type.Optional(BackoffPolicy),
    timeoutMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'ms, 0 = none' }),
    ),
  },
  { additionalProperties: false },
)
export type FlowJobOptions = Static<typeof FlowJobOptions>

export const FlowJobInput = Type.Object(
  {
    id: FlowNodeId,
    type: Type.String(),
    payload: Type.Unknown(),
    dependsOn: Type.Optional(Type.Array(FlowNodeId, { maxItems: MAX_FLOW_JOBS })),
    continueOnParentFailure: Type.Optional(
      Type.Boolean({
        description:
          'run even when a parent ends dead or cancelled (default: be cancelled, naming the parent)',
      }),
    ),
    options: Type.Optional(FlowJobOptions),
  },
  { additionalProperties: false },
)
export type FlowJobInput = Static<typeof FlowJobInput>

export const FlowInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    jobs: Type.Array(FlowJobInput, { minItems: 1, maxItems: MAX_FLOW_JOBS }),
  },
  { additionalProperties: false },
)
export type FlowInput = Static<typeof FlowInput>

export const FlowState = Type.Union([
  Type.Literal('running'),
  Type.Literal('completed'),
  Type.Literal('failed', { description: 'every job finished, some dead or cancelled' }),
  Type.Literal('cancelled'),
])
export type FlowState = Static<typeof FlowState>

export const FlowCreated = Type.Object({
  flowId: Type.String(),
  jobs: Type.Record(Type.String(), JobId, { description: "each job's id, by its id in the flow" }),
})
export type FlowCreated = Static<typeof FlowCreated>

export const FlowView = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  state: FlowState,
  createdAt: Type.Integer({ description: 'ms since the epoch' }),
  finishedAt: Type.Optional(Type.Integer()),
  counts: Type.Object({
    total: Type.Integer(),
    finished: Type.Integer(),
    dead: Type.Integer(),
    cancelled: Type.Integer(),
  }),
  jobs: Type.Array(
    Type.Object({
      node: Type.String(),
      id: JobId,
      state: Type.Union([JobState, Type.Literal('unknown')]),
      dependsOn: Type.Array(Type.String()),
    }),
  ),
})
export type FlowView = Static<typeof FlowView>
