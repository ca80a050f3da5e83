import { createReadStream, createWriteStream } from 'node:fs'
import { Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ConveyorError } from '@conveyor/queue-core'
import { stringify } from 'csv-stringify'
import type { StreamConversion } from './csv-to-json.js'
import { JsonArrayParser, type JsonElement } from './json-array-parser.js'
import { countBytes } from './progress.js'

type Row = Record<string, unknown>

/**
 * A JSON array of objects to CSV with a header row. The file is read twice: once to
 * collect every key of every object (so a column first seen in row 50,000 is not
 * lost), once to write the rows; only the keys and one element at a time are held in
 * memory. Columns come in the order keys first appear; nested values are written as
 * JSON, null and missing values as empty cells. Returns the number of rows.
 */
export async function jsonToCsv(options: StreamConversion): Promise<{ records: number }> {
  const keys = new Set<string>()
  let records = 0
  const bytes = Math.max(1, options.sourceBytes)
  // Each pass stands for half the work.
  await pipeline(
    createReadStream(options.sourcePath),
    countBytes((n) => options.onProgress((n / bytes) * 0.5)),
    new JsonArrayParser(),
    new Writable({
      objectMode: true,
      write(element: JsonElement, _encoding, callback) {
        records += 1
        const row = asRow(element)
        if (row instanceof Error) return callback(row)
        for (const key of Object.keys(row)) keys.add(key)
        callback()
      },
    }),
    { signal: options.signal },
  )
  const columns = [...keys]
  await pipeline(
    createReadStream(options.sourcePath),
    countBytes((n) => options.onProgress(0.5 + (n / bytes) * 0.5)),
    new JsonArrayParser(),
    new Transform({
      objectMode: true,
      transform(element: JsonElement, _encoding, callback) {
        const row = element.value as Row
        callback(
          null,
          columns.map((key) => cell(row[key])),
        )
      },
    }),
    stringify({ header: columns.length > 0, columns }),
    createWriteStream(options.targetPath),
    { signal: options.signal },
  )
  return { records }
}

function asRow({ index, value }: JsonElement): Row | ConveyorError {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Row
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
  return ConveyorError.permanent(
    `element ${index} of the JSON array is ${got}, not an object: JSON to CSV needs an array of objects`,
  )
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}
