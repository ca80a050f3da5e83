import { createReadStream } from 'node:fs'
import { readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Storage, type UploadMeta } from '@conveyor/service-kit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { ApiError } from '../api-error.js'
import { idempotentOptions, sha256 } from '../plugins/idempotency.js'
import { commonErrors, keyReusedError, ErrorResponse } from '../schemas/common.js'
import { UploadAccepted, UploadForm, UploadParams, UploadQuery } from '../schemas/uploads.js'
import { attachmentHeader, contentTypeOf, downloadName } from '../uploads/file-names.js'
import { receiveUpload } from '../uploads/receive-upload.js'
import { convertThenNotify } from '../uploads/convert-then-notify.js'
import { targetFormatFor } from '../uploads/target-format.js'

export interface UploadRoutesOptions {
  dataDir: string
  maxBytes: number
  maxPixels: number
}

// Room for the multipart boundaries and part headers around the file itself.
const MULTIPART_OVERHEAD = 64 * 1024

function isMissing(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'ENOENT'
}

/** Uploading a file to convert, and downloading the result. */
export const uploadRoutes: FastifyPluginAsyncTypebox<UploadRoutesOptions> = async (
  app,
  options,
) => {
  const storage = new Storage(options.dataDir)
  // Fails start-up, not the first upload, when DATA_DIR cannot be written.
  await storage.ensure(join(storage.root, 'uploads'))
  const { conveyor } = app

  app.post(
    '/uploads',
    {
      config: { audit: false },
      schema: {
        tags: ['uploads'],
        summary: 'Upload a file (multipart field "file") and convert it in the background',
        description:
          'Optional form field or query parameter `targetFormat`. The file is checked by ' +
          'its first bytes against its name and Content-Type. With `notify` (an e-mail ' +
          'address, form field or query parameter) the conversion is followed by an e-mail ' +
          'with the download link, as a flow: sent once the conversion completed, cancelled ' +
          'if it ends dead.',
        consumes: ['multipart/form-data'],
        body: UploadForm,
        querystring: UploadQuery,
        response: {
          202: UploadAccepted,
          413: ErrorResponse,
          415: ErrorResponse,
          ...keyReusedError,
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new ApiError(415, 'unsupported_media_type', 'send the file as multipart/form-data')
      }
      // A declared length over the limit is turned away before a byte is read.
      const declared = Number(request.headers['content-length'] ?? NaN)
      if (declared > options.maxBytes + MULTIPART_OVERHEAD) {
        throw new ApiError(413, 'payload_too_large', `the file is over ${options.maxBytes} bytes`)
      }
      const upload = await receiveUpload({
        request,
        storage,
        maxBytes: options.maxBytes,
        maxPixels: options.maxPixels,
      })
      try {
        const targetFormat = targetFormatFor(
          upload.sourceFormat,
          upload.fields.targetFormat ?? request.query.targetFormat,
        )
        const meta: UploadMeta = {
          uploadId: upload.uploadId,
          filename: upload.filename,
          sourceFormat: upload.sourceFormat,
          targetFormat,
          bytes: upload.bytes,
          createdAt: Date.now(),
        }
        await writeFile(storage.metaPath(upload.uploadId), JSON.stringify(meta, null, 2))
        // A repeat of a keyed upload is the same file for the same target.
        if (request.idempotency) {
          request.idempotency.fingerprint = sha256(
            `POST /uploads\n${upload.sha256}\n${targetFormat}\n${upload.filename}`,
          )
        }
        const payload = {
          uploadId: upload.uploadId,
          sourceFormat: upload.sourceFormat,
          targetFormat,
          filename: upload.filename,
        }
        const notify = upload.fields.notify ?? request.query.notify
        if (notify !== undefined) {
          const flow = await convertThenNotify(conveyor.flows, payload, notify)
          return await reply.code(202).send({
            uploadId: upload.uploadId,
            jobId: flow.convert,
            statusUrl: `/jobs/${flow.convert}`,
            flowId: flow.flowId,
            notifyJobId: flow.notify,
          })
        }
        const result = await conveyor.enqueue('convert', payload, idempotentOptions(request))
        let uploadId = upload.uploadId
        if (!result.created && request.idempotency) {
          // The first request's upload stands: this copy of the file goes.
          const first = await conveyor.getJob(result.id)
          const firstUpload = (first?.payload as { uploadId?: unknown } | undefined)?.uploadId
          if (typeof firstUpload === 'string') uploadId = firstUpload
          await rm(storage.uploadDir(upload.uploadId), { recursive: true, force: true })
          reply.header('idempotent-replayed', 'true')
        }
        return await reply
          .code(202)
          .send({ uploadId, jobId: result.id, statusUrl: `/jobs/${result.id}` })
      } catch (err) {
        await rm(storage.uploadDir(upload.uploadId), { recursive: true, force: true })
        throw err
      }
    },
  )

  app.get(
    '/uploads/:id/result',
    {
      config: { audit: false },
      schema: {
        tags: ['uploads'],
        summary: 'Download the converted file',
        params: UploadParams,
        response: {
          200: Type.Unknown({ description: 'the converted file' }),
          404: ErrorResponse,
          409: ErrorResponse,
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      let meta: UploadMeta
      try {
        meta = JSON.parse(await readFile(storage.metaPath(id), 'utf8')) as UploadMeta
      } catch (err) {
        if (isMissing(err)) throw new ApiError(404, 'upload_not_found', `no upload "${id}"`)
        throw err
      }
      const path = storage.resultPath(id, meta.targetFormat)
      let bytes: number
      try {
        bytes = (await stat(path)).size
      } catch (err) {
        if (isMissing(err)) {
          throw new ApiError(409, 'result_not_ready', 'the conversion has not finished yet')
        }
        throw err
      }
      return reply
        .header('content-type', contentTypeOf(meta.targetFormat))
        .header('content-length', bytes)
        .header(
          'content-disposition',
          attachmentHeader(downloadName(meta.filename, meta.targetFormat)),
        )
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(path))
    },
  )
}
