/**
 * The client's file name as display text: its last path segment, without control
 * characters, at most 200 characters. It names downloads; it never becomes a path.
 */
export function displayName(raw: string | undefined): string {
  const last = (raw ?? '').split(/[\\/]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  const name = clean === '' || clean === '.' || clean === '..' ? 'upload' : clean
  return [...name].slice(0, 200).join('')
}

/** The name a converted file is downloaded as: the upload's name with the new extension. */
export function downloadName(filename: string, format: string): string {
  const dot = filename.lastIndexOf('.')
  const stem = dot > 0 ? filename.slice(0, dot) : filename
  return `${stem}.${format === 'jpeg' ? 'jpg' : format}`
}

/** A Content-Disposition header naming the file safely: an ASCII fallback and UTF-8. */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._ -]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
}

export function contentTypeOf(format: string): string {
  return CONTENT_TYPES[format] ?? 'application/octet-stream'
}
