import { describe, expect, it } from 'vitest'
import { readImageSize } from '../src/uploads/image-size.js'
import { PNG_1X1, pngHeader } from './support/multipart.js'

function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), ...Buffer.alloc(9)])
  const exif = Buffer.concat([Buffer.from([0xff, 0xe1, 0x10, 0x02]), Buffer.alloc(0x1000)])
  const sof = Buffer.alloc(19)
  sof.set([0xff, 0xc2, 0x00, 0x11, 0x08])
  sof.writeUInt16BE(height, 5)
  sof.writeUInt16BE(width, 7)
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, exif, sof, Buffer.alloc(16)])
}

function riff(chunk: string, body: Buffer): Buffer {
  const head = Buffer.alloc(20)
  head.write('RIFF', 0, 'latin1')
  head.writeUInt32LE(12 + body.length, 4)
  head.write('WEBP', 8, 'latin1')
  head.write(chunk, 12, 'latin1')
  head.writeUInt32LE(body.length, 16)
  return Buffer.concat([head, body, Buffer.alloc(16)])
}

function webpExtended(width: number, height: number): Buffer {
  const body = Buffer.alloc(10)
  body.writeUIntLE(width - 1, 4, 3)
  body.writeUIntLE(height - 1, 7, 3)
  return riff('VP8X', body)
}

function webpLossless(width: number, height: number): Buffer {
  const body = Buffer.alloc(5)
  body[0] = 0x2f
  body.writeUInt32LE(((height - 1) << 14) | (width - 1), 1)
  return riff('VP8L', body)
}

function webpLossy(width: number, height: number): Buffer {
  const body = Buffer.alloc(10)
  body.set([0x9d, 0x01, 0x2a], 3)
  body.writeUInt16LE(width, 6)
  body.writeUInt16LE(height, 8)
  return riff('VP8 ', body)
}

function ispe(width: number, height: number): Buffer {
  const box = Buffer.alloc(20)
  box.writeUInt32BE(20, 0)
  box.write('ispe', 4, 'latin1')
  box.writeUInt32BE(width, 12)
  box.writeUInt32BE(height, 16)
  return box
}

function avif(...sizes: [number, number][]): Buffer {
  const ftyp = Buffer.from('\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf', 'latin1')
  return Buffer.concat([ftyp, Buffer.alloc(40), ...sizes.map(([w, h]) => ispe(w, h))])
}

describe('readImageSize', () => {
  it('reads PNG, JPEG (behind EXIF), WebP (all three kinds) and AVIF headers', () => {
    expect(readImageSize('png', PNG_1X1)).toEqual({ width: 1, height: 1 })
    expect(readImageSize('png', pngHeader(40_000, 30_000))).toEqual({
      width: 40_000,
      height: 30_000,
    })
    expect(readImageSize('jpeg', jpeg(4032, 3024))).toEqual({ width: 4032, height: 3024 })
    expect(readImageSize('webp', webpExtended(16_000, 9_000))).toEqual({
      width: 16_000,
      height: 9_000,
    })
    expect(readImageSize('webp', webpLossless(1920, 1080))).toEqual({ width: 1920, height: 1080 })
    expect(readImageSize('webp', webpLossy(640, 480))).toEqual({ width: 640, height: 480 })
    expect(readImageSize('avif', avif([160, 90], [7680, 4320]))).toEqual({
      width: 7680,
      height: 4320,
    })
  })

  it('answers null when the header is cut short or absent', () => {
    expect(readImageSize('jpeg', jpeg(10, 10).subarray(0, 200))).toBeNull()
    expect(readImageSize('png', PNG_1X1.subarray(0, 20))).toBeNull()
    expect(readImageSize('webp', webpExtended(10, 10).subarray(0, 20))).toBeNull()
    expect(readImageSize('avif', avif().subarray(0, 30))).toBeNull()
    expect(readImageSize('csv', Buffer.from('a,b'))).toBeNull()
  })
})
