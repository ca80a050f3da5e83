import Type, { type Static } from 'typebox'

/**
 * The seed's SMS job. `phone` is E.164 (`+` and up to 15 digits); `message` is 1-1600
 * characters counted as Unicode code points, so Vietnamese text and emoji count as
 * a person would count them.
 */
export const SmsPayload = Type.Object(
  {
    phone: Type.String({ pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164 number' }),
    message: Type.String({ minLength: 1, maxLength: 1600 }),
  },
  { additionalProperties: false, $id: 'SmsPayload' },
)
export type SmsPayload = Static<typeof SmsPayload>
