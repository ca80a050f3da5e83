import { describe, expect, it } from 'vitest'
import { isSupportedConversion, normalizeFormat, sniffFormat, Storage } from '../src/index.js'

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)))

describe('sniffFormat', () => {
  it('recognises images by their magic bytes', () => {
    expect(sniffFormat(bytes('\x89PNG\r\n\x1a\n', [0, 0, 0, 13]))).toBe('png')
    expect(sniffFormat(bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'))).toBe('jpeg')
    expect(sniffFormat(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('webp')
    expect(sniffFormat(bytes([0, 0, 0, 28], 'ftypavif'))).toBe('avif')
  })

  it('tells JSON from CSV and refuses binary', () => {
    expect(sniffFormat(Buffer.from('\ufeff  [{"a":1}]'))).toBe('json')
    expect(sniffFormat(Buffer.from('name,city\nAn,Hà Nội\n'))).toBe('csv')
    expect(sniffFormat(bytes([0x7f, 0x45, 0x4c, 0x46, 0, 1]))).toBeNull()
    expect(sniffFormat(bytes([0xc3, 0x28, 0x41]))).toBeNull()
    // A sample cut inside a multi-byte character is still text.
    expect(sniffFormat(Buffer.from('a,b\nĐà').subarray(0, 6))).toBe('csv')
  })
})

describe('conversions', () => {
  it('supports csv<->json and images between each other', () => {
    expect(isSupportedConversion('csv', 'json')).toBe(true)
    expect(isSupportedConversion('json', 'csv')).toBe(true)
    expect(isSupportedConversion('png', 'avif')).toBe(true)
    expect(isSupportedConversion('csv', 'png')).toBe(false)
    expect(isSupportedConversion('png', 'png')).toBe(false)
    expect(normalizeFormat('JPG')).toBe('jpeg')
  })
})

describe('Storage', () => {
  it('builds paths only from safe ids', () => {
    const s = new Storage('/data')
    expect(s.sourcePath('abc_1')).toBe('/data/uploads/abc_1/source')
    expect(s.resultPath('abc_1', 'png')).toBe('/data/uploads/abc_1/result.png')
    expect(() => s.uploadDir('../../etc')).toThrow(/invalid upload id/)
    expect(() => s.resultPath('abc', '../x')).toThrow(/invalid format/)
  })
})
