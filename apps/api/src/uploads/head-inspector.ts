import { Transform, type TransformCallback } from 'node:stream'
import { isImageFormat, sniffFormat, type FileFormat } from '@conveyor/service-kit'
import { ApiError, fieldError } from '../api-error.js'
import { claimsMatch } from './claimed-format.js'
import { readImageSize } from './image-size.js'

// Enough text to judge UTF-8 and the first character; binary signatures need 16.
const SNIFF_BYTES = 4096
// A JPEG's frame header may sit behind large EXIF or ICC blocks.
const HEAD_MAX = 256 * 1024

export interface HeadInspectorOptions {
  claims: FileFormat[][]
  maxPixels: number
}

/**
 * Passes an upload through unchanged while it checks the first bytes: what the file
 * is (415 when it is nothing Conveyor converts, or not what the client claimed) and,
 * for an image whose header says its size, the pixel limit (413). Only the first
 * 256 KiB are kept, so memory stays flat whatever the size of the file.
 */
export class HeadInspector extends Transform {
  bytes = 0
  format: FileFormat | null = null
  private head = Buffer.alloc(0)
  private sizeSettled = false

  constructor(private readonly options: HeadInspectorOptions) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    if (this.head.length < HEAD_MAX) {
      const room = HEAD_MAX - this.head.length
      this.head = Buffer.concat([this.head, chunk.subarray(0, room)])
      try {
        this.inspect(false)
      } catch (err) {
        callback(err as Error)
        return
      }
    }
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.inspect(true)
      callback()
    } catch (err) {
      callback(err as Error)
    }
  }

  private inspect(final: boolean): void {
    if (this.format === null) {
      if (this.head.length < SNIFF_BYTES && !final) return
      if (this.head.length === 0) throw fieldError('/file', 'is empty')
      const sniffed = sniffFormat(this.head.subarray(0, SNIFF_BYTES))
      if (sniffed === null) {
        throw new ApiError(
          415,
          'unsupported_media_type',
          'the file is none of CSV, JSON, PNG, JPEG, WebP or AVIF',
        )
      }
      if (!claimsMatch(this.options.claims, sniffed)) {
        throw new ApiError(
          415,
          'unsupported_media_type',
          `the file's content (${sniffed}) does not match its name or Content-Type`,
        )
      }
      this.format = sniffed
    }
    if (this.sizeSettled || !isImageFormat(this.format)) return
    const size = readImageSize(this.format, this.head)
    if (size) {
      this.sizeSettled = true
      if (size.width * size.height > this.options.maxPixels) {
        throw new ApiError(
          413,
          'image_too_large',
          `the image is ${size.width}×${size.height}, over the limit of ${this.options.maxPixels} pixels`,
        )
      }
    } else if (final || this.head.length >= HEAD_MAX) {
      // Size not found in the header: the worker's decoder enforces the limit.
      this.sizeSettled = true
    }
  }
}
