import Type, { type Static } from 'typebox'

/**
 * How long an e-mail's text and its HTML may each be, in characters. Sized with the
 * API's request limit for a job (4 MiB): both at this length, in any script (up to 3
 * bytes a character as UTF-8), fit in one request, so the schema never promises what
 * the request limit then refuses.
 */
export const EMAIL_TEXT_MAX_CHARS = 500_000

/** The seed's email job: `to` must be a valid address; `html` is an optional alternative body. */
export const EmailPayload = Type.Object(
  {
    to: Type.String({ format: 'email', maxLength: 320, description: 'Recipient address' }),
    subject: Type.String({ minLength: 1, maxLength: 998 }),
    body: Type.String({ maxLength: EMAIL_TEXT_MAX_CHARS, description: 'Plain-text body' }),
    html: Type.Optional(Type.String({ maxLength: EMAIL_TEXT_MAX_CHARS, description: 'HTML body' })),
  },
  { additionalProperties: false, $id: 'EmailPayload' },
)
export type EmailPayload = Static<typeof EmailPayload>
