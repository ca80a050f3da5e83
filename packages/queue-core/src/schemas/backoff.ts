import Type, { type Static } from 'typebox'

const delayMs = Type.Integer({ minimum: 0, maximum: 604_800_000 })
const jitter = Type.Number({
  minimum: 0,
  maximum: 1,
  description: 'Spread as a fraction: 0.2 is ±20%',
})

/** How long a failed job waits before its next attempt. */
export const BackoffPolicy = Type.Union([
  Type.Object(
    {
      type: Type.Literal('exponential'),
      delayMs,
      maxDelayMs: Type.Optional(delayMs),
      jitter: Type.Optional(jitter),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('fixed'), delayMs, jitter: Type.Optional(jitter) },
    { additionalProperties: false },
  ),
])
export type BackoffPolicy = Static<typeof BackoffPolicy>
