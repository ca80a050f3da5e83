import Type from 'typebox'
import { DOCS_ONLY } from '../schema-compilers.js'

const Notify = Type.String({
  maxLength: 320,
  description:
    'an e-mail address: once the conversion completed, an e-mail with the download link is sent there (a flow of two jobs)',
})

export const UploadQuery = Type.Object({
  targetFormat: Type.Optional(
    Type.String({ description: 'csv, json, png, jpeg, webp or avif; a default is picked' }),
  ),
  notify: Type.Optional(Notify),
})

export const UploadAccepted = Type.Object({
  uploadId: Type.String(),
  jobId: Type.String(),
  statusUrl: Type.String({ description: '/jobs/<jobId>' }),
  flowId: Type.Optional(
    Type.String({ description: 'with notify: the flow of the conversion and the e-mail' }),
  ),
  notifyJobId: Type.Optional(Type.String({ description: 'with notify: the e-mail job' })),
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
    notify: Type.Optional(Notify),
  },
  { [DOCS_ONLY]: true },
)
