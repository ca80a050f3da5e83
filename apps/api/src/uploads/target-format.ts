import {
  isImageFormat,
  isSupportedConversion,
  normalizeFormat,
  SUPPORTED_CONVERSIONS,
  type FileFormat,
} from '@conveyor/service-kit'
import { fieldError } from '../api-error.js'

/**
 * The format to convert to: the one asked for, else csv→json, json→csv and any
 * image→webp (webp→png, as webp to webp converts nothing).
 */
export function targetFormatFor(source: FileFormat, asked: string | undefined): string {
  if (asked === undefined || asked.trim() === '') return defaultTarget(source)
  const target = normalizeFormat(asked.trim())
  if (!isSupportedConversion(source, target)) {
    throw fieldError(
      '/targetFormat',
      `cannot convert ${source} to "${asked}"; supported: ${SUPPORTED_CONVERSIONS}`,
    )
  }
  return target
}

function defaultTarget(source: FileFormat): string {
  if (source === 'csv') return 'json'
  if (source === 'json') return 'csv'
  if (isImageFormat(source)) return source === 'webp' ? 'png' : 'webp'
  return source
}
