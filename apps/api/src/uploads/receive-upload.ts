import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import type { FileFormat, Storage } from '@conveyor/service-kit'
import type { FastifyRequest } from 'fastify'
import { ApiError, fieldError } from '../api-error.js'
import { claimsOf } from './claimed-format.js'
import { displayName } from './file-names.js'
import { HeadInspector } from './head-inspector.js'

export interface ReceivedUpload {
  uploadId: string
  filename: string
  sourceFormat: FileFormat
  bytes: number
  /** sha256 of the file's bytes: what an idempotent repeat must send again */
  sha256: string
  /** the form's text fields, by name */
  fields: Record<string, string>
}

export interface ReceiveOptions {
  request: FastifyRequest
  storage: Storage
  maxBytes: number
  maxPixels: number
}

/**
 * busboy's own parse errors ("Multipart: Boundary not found", "Unexpected end of
 * multipart data") carry no status: left alone they became 500s for a client's bad body.
 */
function malformed(err: unknown): boolean {
  if (!(err instanceof Error) || 'statusCode' in err) return false
  return /^(Multipart: |Unexpected end of (multipart data|form)|Malformed part header)/.test(
    err.message,
  )
}

/** A server-chosen id: 22 URL-safe characters, as service-kit's UPLOAD_ID allows. */
export function newUploadId(): string {
  return randomBytes(16).toString('base64url')
}

/**
 * Streams the multipart field `file` to `storage.sourcePath(<new id>)`, checking its
 * first bytes on the way, and collects the text fields. Anything that goes wrong
 * removes the upload's directory, so no partial file stays behind.
 */
export async function receiveUpload(options: ReceiveOptions): Promise<ReceivedUpload> {
  const { request, storage } = options
  const uploadId = newUploadId()
  const dir = storage.uploadDir(uploadId)
  const fields: Record<string, string> = {}
  let file: Omit<ReceivedUpload, 'uploadId' | 'fields'> | null = null
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value
        continue
      }
      if (part.fieldname !== 'file') {
        part.file.resume()
        throw fieldError(`/${part.fieldname}`, 'is not expected: send the file as "file"')
      }
      await storage.ensure(dir)
      const filename = displayName(part.filename)
      const inspector = new HeadInspector({
        claims: claimsOf(filename, part.mimetype),
        maxPixels: options.maxPixels,
      })
      const out = createWriteStream(storage.sourcePath(uploadId), { flags: 'wx' })
      // busboy stops passing bytes at the limit but ends the part only where the client
      // does: failing the stream now answers 413 without reading the rest of the body.
      const tooLarge = new ApiError(
        413,
        'payload_too_large',
        `the file is over ${options.maxBytes} bytes`,
      )
      part.file.once('limit', () => part.file.destroy(tooLarge))
      const hash = createHash('sha256')
      part.file.on('data', (chunk: Buffer) => hash.update(chunk))
      await pipeline(part.file, inspector, out)
      if (part.file.truncated) throw tooLarge
      if (inspector.format === null) throw new Error('the upload was not inspected')
      file = {
        filename,
        sourceFormat: inspector.format,
        bytes: inspector.bytes,
        sha256: hash.digest('hex'),
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw malformed(err) ? new ApiError(400, 'bad_request', 'the multipart body is malformed') : err
  }
  if (!file) throw fieldError('/file', 'is required')
  return { uploadId, fields, ...file }
}
