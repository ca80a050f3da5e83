import { readFile } from 'node:fs/promises'
import { Storage } from '@conveyor/service-kit'
import { parse } from 'csv-parse/sync'
import { beforeEach, describe, expect, test } from 'vitest'
import { convertHandler } from '../src/handlers/convert.js'
import { silentLogger, useHarness, waitForState } from './helpers/harness.js'
import { handJob } from './helpers/job-context.js'
import { convertOnly, putUpload } from './helpers/uploads.js'

// Quotes, commas and a newline inside quoted fields, Vietnamese text, a BOM and CRLF.
const TRICKY_CSV =
  '\uFEFFtên,ghi chú,thành phố\r\n' +
  '"Nguyễn Văn A","Nói ""xin chào"", rồi đi",Hà Nội\r\n' +
  '"Trần Thị B","dòng một\r\ndòng hai",Thành phố Hồ Chí Minh\r\n' +
  'Lê C,"a, b, c",Đà Nẵng\r\n'

const TRICKY_ROWS = [
  { tên: 'Nguyễn Văn A', 'ghi chú': 'Nói "xin chào", rồi đi', 'thành phố': 'Hà Nội' },
  { tên: 'Trần Thị B', 'ghi chú': 'dòng một\r\ndòng hai', 'thành phố': 'Thành phố Hồ Chí Minh' },
  { tên: 'Lê C', 'ghi chú': 'a, b, c', 'thành phố': 'Đà Nẵng' },
]

describe('convert: CSV and JSON', () => {
  const h = useHarness()
  let storage: Storage

  beforeEach(async () => {
    storage = new Storage(await h.tempDir())
  })

  async function convert(uploadId: string, sourceFormat: string, targetFormat: string) {
    const { queue } = h.start(convertOnly(storage), 'convert')
    const { id } = await queue.enqueue('convert', {
      uploadId,
      sourceFormat,
      targetFormat,
      filename: `${uploadId}.${sourceFormat}`,
    })
    return waitForState(queue, id, ['completed', 'dead', 'retrying'])
  }

  test('CSV → JSON → CSV keeps quoted fields, commas, newlines and Vietnamese text', async () => {
    await putUpload(storage, 'up-csv', TRICKY_CSV)
    const toJson = await convert('up-csv', 'csv', 'json')
    expect(toJson.state).toBe('completed')
    const jsonPath = storage.resultPath('up-csv', 'json')
    const jsonText = await readFile(jsonPath, 'utf8')
    expect(JSON.parse(jsonText)).toEqual(TRICKY_ROWS)
    expect(toJson.result).toEqual({
      uploadId: 'up-csv',
      format: 'json',
      bytes: Buffer.byteLength(jsonText),
      downloadUrl: '/uploads/up-csv/result',
    })
    expect(toJson.progress).toEqual({ stage: 'done', percent: 100 })

    await putUpload(storage, 'up-back', jsonText)
    const back = await convert('up-back', 'json', 'csv')
    expect(back.state).toBe('completed')
    const csvText = await readFile(storage.resultPath('up-back', 'csv'), 'utf8')
    expect(csvText.split('\n')[0]).toBe('tên,ghi chú,thành phố')
    expect(parse(csvText, { columns: true })).toEqual(TRICKY_ROWS)
  })

  test('JSON → CSV: header is the union of all keys, nested values as JSON, null as empty', async () => {
    const rows: Record<string, unknown>[] = [
      { id: 1, name: 'Phở', tags: ['nóng', 'ngon'], meta: { spicy: false } },
      { id: 2, name: 'Bún chả', price: 45000.5, note: null },
    ]
    // A key first seen far down the file still gets its column.
    for (let i = 3; i <= 1500; i += 1) rows.push({ id: i, name: `món ${i}` })
    rows.push({ id: 1501, late: 'cuối cùng' })
    await putUpload(storage, 'up-json', JSON.stringify(rows, null, 2))
    const job = await convert('up-json', 'json', 'csv')
    expect(job.state).toBe('completed')
    const csvText = await readFile(storage.resultPath('up-json', 'csv'), 'utf8')
    const lines = csvText.trimEnd().split('\n')
    expect(lines[0]).toBe('id,name,tags,meta,price,note,late')
    expect(lines).toHaveLength(1 + 1501)
    const records = parse<Record<string, string>>(csvText, { columns: true })
    expect(records[0]).toEqual({
      id: '1',
      name: 'Phở',
      tags: '["nóng","ngon"]',
      meta: '{"spicy":false}',
      price: '',
      note: '',
      late: '',
    })
    expect(records[1]).toMatchObject({ name: 'Bún chả', price: '45000.5', note: '' })
    expect(records[1500]).toMatchObject({ id: '1501', name: '', late: 'cuối cùng' })
  })

  test('an empty JSON array gives an empty CSV; a header-only CSV gives []', async () => {
    await putUpload(storage, 'up-empty', ' [ ] \n')
    expect((await convert('up-empty', 'json', 'csv')).state).toBe('completed')
    expect(await readFile(storage.resultPath('up-empty', 'csv'), 'utf8')).toBe('')
    await putUpload(storage, 'up-header', 'a,b\n')
    expect((await convert('up-header', 'csv', 'json')).state).toBe('completed')
    expect(JSON.parse(await readFile(storage.resultPath('up-header', 'json'), 'utf8'))).toEqual([])
  })

  test.each([
    ['{"not": "an array"}', /not a JSON array/],
    ['[{"a": 1}, 42]', /element 2 of the JSON array is number, not an object/],
    ['[{"a": 1}, {"a": ]', /element 2 is not valid JSON/],
    ['[{"a": 1}', /not closed/],
    ['[{"a": 1}] trailing', /more after the end/],
  ])('malformed JSON %j fails permanently', async (content, message) => {
    await putUpload(storage, 'up-bad', content)
    const job = await convert('up-bad', 'json', 'csv')
    expect(job.state).toBe('dead')
    expect(job.attempts).toBe(1)
    expect(job.lastError?.code).toBe('permanent_failure')
    expect(job.lastError?.message).toMatch(message)
  })

  test('malformed CSV (an unclosed quote) fails permanently and leaves no result', async () => {
    await putUpload(storage, 'up-badcsv', 'a,b\n1,"never closed\n2,3\n')
    const job = await convert('up-badcsv', 'csv', 'json')
    expect(job.state).toBe('dead')
    expect(job.lastError?.message).toMatch(/the CSV is malformed/)
    await expect(readFile(storage.resultPath('up-badcsv', 'json'))).rejects.toThrow(/ENOENT/)
  })

  test('progress goes from start to done by bytes read, in order', async () => {
    const lines = ['id,text']
    for (let i = 0; i < 40_000; i += 1) lines.push(`${i},"dòng số ${i}, có dấu phẩy"`)
    await putUpload(storage, 'up-big', lines.join('\n'))
    const handler = convertHandler({ storage, maxPixels: 1, logger: silentLogger })
    const { job, progress } = handJob({
      uploadId: 'up-big',
      sourceFormat: 'csv',
      targetFormat: 'json',
      filename: 'big.csv',
    })
    await handler(job)
    const seen = progress as { stage: string; percent: number }[]
    expect(seen[0]).toEqual({ stage: 'starting', percent: 0 })
    expect(seen.at(-1)).toEqual({ stage: 'done', percent: 100 })
    const converting = seen.filter((p) => p.stage === 'converting')
    expect(converting.length).toBeGreaterThan(1)
    const percents = seen.map((p) => p.percent)
    expect(percents).toEqual([...percents].sort((a, b) => a - b))
    const rows = JSON.parse(
      await readFile(storage.resultPath('up-big', 'json'), 'utf8'),
    ) as unknown[]
    expect(rows).toHaveLength(40_000)
  })

  test('a missing upload fails permanently', async () => {
    const job = await convert('up-missing', 'csv', 'json')
    expect(job.state).toBe('dead')
    expect(job.attempts).toBe(1)
    expect(job.lastError?.message).toBe('upload up-missing not found: its source file is missing')
  })
})
