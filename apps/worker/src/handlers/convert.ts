import { stat } from 'node:fs/promises'
import { ConveyorError, type ConvertPayload, type JobHandler } from '@conveyor/queue-core'
import {
  isImageFormat,
  isSupportedConversion,
  normalizeFormat,
  SUPPORTED_CONVERSIONS,
  type Logger,
  type Storage,
} from '@conveyor/service-kit'
import type { FormatEnum } from 'sharp'
import { csvToJson } from '../convert/csv-to-json.js'
import { convertImage } from '../convert/image.js'
import { jsonToCsv } from '../convert/json-to-csv.js'
import { ProgressReporter } from '../convert/progress.js'
import { inspectSource } from '../convert/source-file.js'
import { withTempFile } from '../write-file-atomic.js'

/** A convert job's result, as the API hands it to clients. */
export interface ConvertResult {
  uploadId: string
  format: string
  bytes: number
  downloadUrl: string
}

/**
 * Converts an upload: checks the pair is supported and that the file's bytes are
 * what the job says, then streams (CSV, JSON) or transcodes (images) it into a
 * temporary file renamed onto the result path, so a reader never sees half a file.
 * Progress is stored as { stage, percent }.
 */
export function convertHandler(deps: {
  storage: Storage
  maxPixels: number
  logger: Logger
}): JobHandler<ConvertPayload> {
  return async (job) => {
    const { uploadId } = job.payload
    const from = normalizeFormat(job.payload.sourceFormat)
    const to = normalizeFormat(job.payload.targetFormat)
    if (!isSupportedConversion(from, to)) {
      throw ConveyorError.permanent(
        `cannot convert ${from} to ${to}: the supported conversions are ${SUPPORTED_CONVERSIONS}`,
      )
    }
    const sourcePath = deps.storage.sourcePath(uploadId)
    const source = await inspectSource(sourcePath, uploadId)
    if (source.format !== from) {
      const looks = source.format === null ? 'no format Conveyor knows' : source.format
      throw ConveyorError.permanent(
        `upload ${uploadId} is not ${from}: its content looks like ${looks}`,
      )
    }
    const progress = new ProgressReporter((value) => job.progress(value))
    progress.report('starting', 0)
    const resultPath = deps.storage.resultPath(uploadId, to)
    await withTempFile(resultPath, async (targetPath) => {
      const common = { sourcePath, targetPath, signal: job.signal }
      if (isImageFormat(to)) {
        progress.report('converting', 10)
        await convertImage({
          ...common,
          targetFormat: to as keyof FormatEnum,
          maxPixels: deps.maxPixels,
        })
        return
      }
      const convert = from === 'csv' ? csvToJson : jsonToCsv
      // Reading is most of the work; the last few percent are for the final rename.
      const onProgress = (fraction: number) => progress.report('converting', fraction * 95)
      await convert({ ...common, sourceBytes: source.bytes, onProgress })
    })
    const { size } = await stat(resultPath)
    progress.report('done', 100)
    await progress.flush()
    deps.logger.info(
      { jobId: job.id, uploadId, from, to, sourceBytes: source.bytes, bytes: size },
      'conversion written',
    )
    const result: ConvertResult = {
      uploadId,
      format: to,
      bytes: size,
      downloadUrl: `/uploads/${uploadId}/result`,
    }
    return result
  }
}
