import Type, { type Static } from 'typebox'

/** At most `max` job starts in any window of `perMs` (a sliding window log; see the README). */
export const RateLimit = Type.Object(
  {
    max: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'starts per window' }),
    perMs: Type.Integer({ minimum: 1, maximum: 86_400_000, description: 'the window, ms' }),
  },
  { additionalProperties: false },
)
export type RateLimit = Static<typeof RateLimit>

/** One group's limits: its override, or the default of every group of a queue. */
export const GroupLimits = Type.Object(
  {
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description: 'jobs of the group running at once, across all workers',
      }),
    ),
    rate: Type.Optional(RateLimit),
  },
  { additionalProperties: false },
)
export type GroupLimits = Static<typeof GroupLimits>

/** A queue's limits: its own rate and the default limits of each of its groups. */
export const QueueLimits = Type.Object(
  {
    rate: Type.Optional(RateLimit),
    groups: Type.Optional(GroupLimits),
  },
  { additionalProperties: false },
)
export type QueueLimits = Static<typeof QueueLimits>

/** A group as listed: its queued and running jobs. */
export const GroupSummary = Type.Object({
  group: Type.String(),
  queued: Type.Integer({ minimum: 0 }),
  running: Type.Integer({ minimum: 0 }),
})
export type GroupSummary = Static<typeof GroupSummary>
