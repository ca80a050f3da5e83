import Type, { type Static } from 'typebox'

/**
 * Convert an uploaded file. Formats are short lower-case names (csv, json, png, jpeg,
 * webp, avif...); which pairs are supported is the handler's business, so a new
 * converter needs no schema change.
 */
export const ConvertPayload = Type.Object(
  {
    uploadId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    sourceFormat: Type.String({ pattern: '^[a-z0-9]{1,10}$' }),
    targetFormat: Type.String({ pattern: '^[a-z0-9]{1,10}$' }),
    filename: Type.String({ minLength: 1, maxLength: 255 }),
  },
  { additionalProperties: false, $id: 'ConvertPayload' },
)
export type ConvertPayload = Static<typeof ConvertPayload>
