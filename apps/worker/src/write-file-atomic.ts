import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** A temporary name next to `path`, so that a rename onto `path` stays in one file system. */
function tempPathFor(path: string): string {
  return `${path}.${randomBytes(6).toString('hex')}.tmp`
}

/**
 * Creates `path` through `write`, which fills a temporary file beside it; the rename at
 * the end means a reader sees the whole file or none. The temporary file is removed if
 * `write` fails.
 */
export async function withTempFile<T>(
  path: string,
  write: (tempPath: string) => Promise<T>,
): Promise<T> {
  await mkdir(dirname(path), { recursive: true })
  const temp = tempPathFor(path)
  try {
    const result = await write(temp)
    await rename(temp, path)
    return result
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}

/** Writes `data` to `path` all at once, as seen by readers. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await withTempFile(path, (temp) => writeFile(temp, data))
}
