import type { FileFormat } from '@conveyor/service-kit'

/**
 * What a client says a file is, by its name and by its part's Content-Type. Each
 * source yields the formats it allows; text/plain and .txt allow either text format.
 * A name or type that says something Conveyor does not convert allows nothing.
 */
const BY_EXTENSION: Record<string, FileFormat[]> = {
  csv: ['csv'],
  json: ['json'],
  txt: ['csv', 'json'],
  png: ['png'],
  jpg: ['jpeg'],
  jpeg: ['jpeg'],
  webp: ['webp'],
  avif: ['avif'],
}

const BY_MIME: Record<string, FileFormat[]> = {
  'text/csv': ['csv'],
  'application/csv': ['csv'],
  // what browsers on Windows send for .csv
  'application/vnd.ms-excel': ['csv'],
  'application/json': ['json'],
  'text/json': ['json'],
  'text/plain': ['csv', 'json'],
  'image/png': ['png'],
  'image/jpeg': ['jpeg'],
  'image/jpg': ['jpeg'],
  'image/pjpeg': ['jpeg'],
  'image/webp': ['webp'],
  'image/avif': ['avif'],
}

// Types that claim nothing: the file's bytes alone cannot be checked against them.
const NO_CLAIM = new Set(['', 'application/octet-stream', 'binary/octet-stream'])

/** The claims a file name and a Content-Type make; an empty list means no claim at all. */
export function claimsOf(filename: string, mimetype: string | undefined): FileFormat[][] {
  const claims: FileFormat[][] = []
  const dot = filename.lastIndexOf('.')
  if (dot > 0) claims.push(BY_EXTENSION[filename.slice(dot + 1).toLowerCase()] ?? [])
  const mime = (mimetype ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!NO_CLAIM.has(mime)) claims.push(BY_MIME[mime] ?? [])
  return claims
}

/** Whether what the bytes are matches every claim (and there is at least one). */
export function claimsMatch(claims: FileFormat[][], sniffed: FileFormat): boolean {
  return claims.length > 0 && claims.every((allowed) => allowed.includes(sniffed))
}
