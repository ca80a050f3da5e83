/**
 * The conversions Conveyor ships, and recognising a file by its first bytes rather
 * than by the name or type a client claims.
 */
export const IMAGE_FORMATS = ['png', 'jpeg', 'webp', 'avif'] as const
export const DATA_FORMATS = ['csv', 'json'] as const
export type FileFormat = (typeof IMAGE_FORMATS)[number] | (typeof DATA_FORMATS)[number]

const ALIASES: Record<string, FileFormat> = { jpg: 'jpeg' }

export function normalizeFormat(name: string): string {
  const lower = name.toLowerCase()
  return ALIASES[lower] ?? lower
}

export function isImageFormat(format: string): boolean {
  return (IMAGE_FORMATS as readonly string[]).includes(format)
}

/** Whether the worker can convert `from` into `to`. */
export function isSupportedConversion(from: string, to: string): boolean {
  if (from === to) return false
  if (isImageFormat(from)) return isImageFormat(to)
  return (from === 'csv' && to === 'json') || (from === 'json' && to === 'csv')
}

export const SUPPORTED_CONVERSIONS = 'csv↔json, and png, jpeg, webp, avif between each other'

/**
 * The format the bytes say a file is, from its first bytes (at least 16). Text
 * formats are told apart by their first non-blank character; bytes that are not text
 * (a NUL, invalid UTF-8 in the sample) are no CSV or JSON.
 */
export function sniffFormat(head: Uint8Array): FileFormat | null {
  const b = (i: number) => head[i] ?? -1
  const ascii = (from: number, s: string) => [...s].every((c, i) => b(from + i) === c.charCodeAt(0))
  if (ascii(0, '\x89PNG\r\n\x1a\n')) return 'png'
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg'
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp'
  if (ascii(4, 'ftyp') && (ascii(8, 'avif') || ascii(8, 'avis'))) return 'avif'
  if (!looksLikeText(head)) return null
  let i = b(0) === 0xef && b(1) === 0xbb && b(2) === 0xbf ? 3 : 0
  while (i < head.length && [0x20, 0x09, 0x0a, 0x0d].includes(b(i))) i += 1
  if (i >= head.length) return null
  return b(i) === 0x7b || b(i) === 0x5b ? 'json' : 'csv'
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.includes(0)) return false
  // A multi-byte character may be cut at the end of the sample: drop up to 3 bytes.
  for (let cut = 0; cut <= 3 && cut < head.length; cut += 1) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut))
      return true
    } catch {
      // try a shorter sample
    }
  }
  return false
}
