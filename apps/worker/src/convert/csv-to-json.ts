import { createReadStream, createWriteStream } from 'node:fs'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ConveyorError } from '@conveyor/queue-core'
import { parse } from 'csv-parse'
import { countBytes } from './progress.js'

/** Options of one streamed conversion between two files. */
export interface StreamConversion {
  sourcePath: string
  targetPath: string
  signal: AbortSignal
  /** the source's size in bytes, to turn bytes read into a fraction of the work */
  sourceBytes: number
  /** called as the source is read, with the fraction (0-1) of the work done */
  onProgress: (fraction: number) => void
}

/**
 * CSV (first row = column names) to a JSON array of objects, one record at a time:
 * neither file is ever held in memory. Values stay strings, as CSV has no types.
 * Returns the number of records.
 */
export async function csvToJson(options: StreamConversion): Promise<{ records: number }> {
  let records = 0
  const toJson = new Transform({
    writableObjectMode: true,
    transform(record: Record<string, string>, _encoding, callback) {
      const prefix = records === 0 ? '[\n' : ',\n'
      records += 1
      callback(null, prefix + JSON.stringify(record))
    },
    flush(callback) {
      callback(null, records === 0 ? '[]\n' : '\n]\n')
    },
  })
  try {
    await pipeline(
      createReadStream(options.sourcePath),
      countBytes((n) => options.onProgress(n / Math.max(1, options.sourceBytes))),
      parse({ columns: true, bom: true, skip_empty_lines: true }),
      toJson,
      createWriteStream(options.targetPath),
      { signal: options.signal },
    )
  } catch (err) {
    throw asCsvError(err)
  }
  return { records }
}

/** csv-parse's own errors (codes CSV_…) describe the file, and a retry will not fix it. */
function asCsvError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && code.startsWith('CSV_'))
    return ConveyorError.permanent(`the CSV is malformed: ${(err as Error).message}`, err)
  return err
}
