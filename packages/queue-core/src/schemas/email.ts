import Type, { type Static } from 'typebox'

/** The seed's email job: `to` must be a valid address; `html` is an optional alternative body. */
export const EmailPayload = Type.Object(
  {
    to: Type.String({ format: 'email', maxLength: 320, description: 'Recipient address' }),
    subject: Type.String({ minLength: 1, maxLength: 998 }),
    body: Type.String({ maxLength: 1_000_000, description: 'Plain-text body' }),
    html: Type.Optional(Type.String({ maxLength: 2_000_000, description: 'HTML body' })),
  },
  { additionalProperties: false, $id: 'EmailPayload' },
)
export type EmailPayload = Static<typeof EmailPayload>
