import { mkdir, writeFile } from 'node:fs/promises'
import type { Storage } from '@conveyor/service-kit'
import { convertHandler } from '../../src/handlers/convert.js'
import { silentLogger } from './harness.js'

/** Writes an upload's source file as the API would. */
export async function putUpload(
  storage: Storage,
  uploadId: string,
  content: string | Uint8Array,
): Promise<void> {
  await mkdir(storage.uploadDir(uploadId), { recursive: true })
  await writeFile(storage.sourcePath(uploadId), content)
}

/** The convert handler alone, as a HandlerMap for a test Worker. */
export function convertOnly(storage: Storage, maxPixels = 50_000_000) {
  return { convert: convertHandler({ storage, maxPixels, logger: silentLogger }) }
}
