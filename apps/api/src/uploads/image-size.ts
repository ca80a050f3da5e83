/**
 * Image dimensions from the first bytes of a file, without decoding it: PNG's IHDR,
 * JPEG's SOF marker, WebP's VP8/VP8L/VP8X header and AVIF's `ispe` property. The API
 * uses it to turn away an image over the pixel limit before enqueueing; when the
 * header is not within the bytes it has, the answer is null and the worker's decoder
 * (sharp's limitInputPixels) remains the guard.
 */
export interface ImageSize {
  width: number
  height: number
}

export function readImageSize(format: string, head: Buffer): ImageSize | null {
  try {
    switch (format) {
      case 'png':
        return pngSize(head)
      case 'jpeg':
        return jpegSize(head)
      case 'webp':
        return webpSize(head)
      case 'avif':
        return avifSize(head)
      default:
        return null
    }
  } catch (err) {
    // A header cut short reads past the end of the buffer: "not known yet".
    if (err instanceof RangeError) return null
    throw err
  }
}

function pngSize(b: Buffer): ImageSize | null {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return null
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
}

// SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
}

function jpegSize(b: Buffer): ImageSize | null {
  let i = 2
  while (i + 9 <= b.length) {
    if (b[i] !== 0xff) return null
    const marker = b[i + 1] ?? 0
    if (marker === 0xff) {
      i += 1 // fill byte
      continue
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2 // markers without a length
      continue
    }
    if (marker === 0xd9 || marker === 0xda) return null // end of image or scan data first
    if (isStartOfFrame(marker))
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) }
    i += 2 + b.readUInt16BE(i + 2)
  }
  return null
}

function webpSize(b: Buffer): ImageSize | null {
  if (b.length < 30) return null
  const chunk = b.toString('latin1', 12, 16)
  if (chunk === 'VP8X') {
    return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 }
  }
  if (chunk === 'VP8L' && b[20] === 0x2f) {
    const bits = b.readUInt32LE(21)
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
  }
  if (chunk === 'VP8 ' && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff }
  }
  return null
}

// An AVIF may hold several images (a grid's tiles, a thumbnail, an alpha plane); each
// has an `ispe` property and the largest is the one a decoder allocates for.
function avifSize(b: Buffer): ImageSize | null {
  let best: ImageSize | null = null
  for (
    let at = b.indexOf('ispe', 0, 'latin1');
    at !== -1;
    at = b.indexOf('ispe', at + 4, 'latin1')
  ) {
    if (at + 16 > b.length) break
    const size = { width: b.readUInt32BE(at + 8), height: b.readUInt32BE(at + 12) }
    if (!best || size.width * size.height > best.width * best.height) best = size
  }
  return best
}
