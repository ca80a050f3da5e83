import { ConveyorError } from '@conveyor/queue-core'
import sharp, { type FormatEnum } from 'sharp'

export interface ImageConversion {
  sourcePath: string
  targetPath: string
  /** png, jpeg, webp or avif */
  targetFormat: keyof FormatEnum
  /** CONVERT_MAX_PIXELS: width × height above this is refused before any decoding */
  maxPixels: number
  signal: AbortSignal
}

/**
 * Converts an image between PNG, JPEG, WebP and AVIF. The header is read first, so a
 * decompression bomb (a small file that declares a huge canvas) is refused with its
 * size in the message before a single pixel is decoded; sharp's limitInputPixels
 * guards the decode itself as well. EXIF orientation is applied, since the output
 * drops metadata; transparency becomes white in JPEG, which has no alpha channel.
 */
export async function convertImage(
  options: ImageConversion,
): Promise<{ width: number; height: number }> {
  const { width, height } = await readHeader(options.sourcePath)
  const pixels = width * height
  if (pixels > options.maxPixels) {
    throw ConveyorError.permanent(
      `the image is ${width}×${height} = ${pixels} pixels, more than the limit of ` +
        `${options.maxPixels} (CONVERT_MAX_PIXELS); it was not decoded`,
    )
  }
  options.signal.throwIfAborted()
  let image = sharp(options.sourcePath, { limitInputPixels: options.maxPixels }).autoOrient()
  if (options.targetFormat === 'jpeg') image = image.flatten({ background: '#ffffff' })
  try {
    const info = await image.toFormat(options.targetFormat).toFile(options.targetPath)
    return { width: info.width, height: info.height }
  } catch (err) {
    // What sharp rejects here is the image (truncated, corrupt, unsupported variant):
    // another attempt would meet the same bytes.
    throw ConveyorError.permanent(`the image could not be converted: ${message(err)}`, err)
  }
}

async function readHeader(path: string): Promise<{ width: number; height: number }> {
  try {
    // metadata() reads the header only; the limit is checked by the caller, with a
    // message that says how big the image claims to be.
    const meta = await sharp(path, { limitInputPixels: false }).metadata()
    return { width: meta.width, height: meta.height }
  } catch (err) {
    throw ConveyorError.permanent(`the image cannot be read: ${message(err)}`, err)
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
