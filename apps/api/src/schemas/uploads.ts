import Type from 'typebox'
import { DOCS_ONLY } from '../schema-compilers.js'

export const UploadQuery = Type.Object({
  targetFormat: Type.Optional(
    Type.String({ description: 'csv, json, png, jpeg, webp or avif; a default is picked' }),
  ),
})

export const UploadAccepted = Type.Object({
  uploadId: Type.String(),
  jobId: Type.String(),
  statusUrl: Type.String({ description: '/jobs/<jobId>' }),
})

export const UploadParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
})

/** The multipart form, for the OpenAPI document; the route reads and checks it as a stream. */
export const UploadForm = Type.Object(
  {
    file: Type.String({
      format: 'binary',
      description: 'CSV, JSON, PNG, JPEG, WebP or AVIF, checked by its first bytes',
    }),
    targetFormat: Type.Optional(
      Type.String({ description: 'default: csv→json, json→csv, images→webp (webp→png)' }),
    ),
  },
  { [DOCS_ONLY]: true },
)
