import { Readable } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { JsonArrayParser, type JsonElement } from '../src/convert/json-array-parser.js'

/** Feeds `text` in chunks of `size` bytes, cutting through multi-byte characters too. */
async function elements(text: string, size: number): Promise<unknown[]> {
  const bytes = Buffer.from(text, 'utf8')
  const chunks: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
  const out: unknown[] = []
  for await (const element of Readable.from(chunks).pipe(new JsonArrayParser())) {
    const { index, value } = element as JsonElement
    expect(index).toBe(out.length + 1)
    out.push(value)
  }
  return out
}

const TRICKY = [
  { s: 'a "quoted" ] } , [ { string', e: 'back\\slash\\"', v: 'Tiếng Việt 🎉' },
  [1, [2, [3]], { x: '}' }],
  'bare string with ] and ,',
  -12.5e3,
  true,
  null,
  { nested: { deeper: { deepest: [] } } },
  {},
]

describe('JsonArrayParser', () => {
  test.each([1, 2, 3, 7, 64, 65_536])('finds every element in chunks of %i bytes', async (size) => {
    expect(await elements(JSON.stringify(TRICKY), size)).toEqual(TRICKY)
    expect(await elements(`\uFEFF \n${JSON.stringify(TRICKY, null, 2)}\n`, size)).toEqual(TRICKY)
  })

  test('bare scalars end at a comma, a space or the closing bracket', async () => {
    expect(await elements('[1,2 , 3]', 1)).toEqual([1, 2, 3])
    expect(await elements('[ ]', 1)).toEqual([])
  })

  test.each([
    ['', /not closed/],
    ['{}', /not a JSON array/],
    ['[1,]', /element 2 is not valid JSON/],
    ['[1 2]', /unexpected "2" after element 1/],
    ['["open string]', /not closed/],
    ['[] []', /more after the end/],
  ])('refuses %j', async (text, message) => {
    await expect(elements(text, 3)).rejects.toThrow(message)
  })
})
