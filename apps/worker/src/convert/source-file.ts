import { open } from 'node:fs/promises'
import { ConveyorError } from '@conveyor/queue-core'
import { sniffFormat, type FileFormat } from '@conveyor/service-kit'

/** Enough bytes for sniffFormat to tell every format apart. */
const HEAD_BYTES = 64

/** What the worker learns from an upload before converting it. */
export interface SourceFile {
  bytes: number
  /** the format its first bytes show, or null if none Conveyor knows */
  format: FileFormat | null
}

/**
 * Looks at an uploaded file: its size and the format its content (not its name) says
 * it is. A missing file fails the job for good: the upload is gone or never was.
 */
export async function inspectSource(path: string, uploadId: string): Promise<SourceFile> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw ConveyorError.permanent(`upload ${uploadId} not found: its source file is missing`, err)
    throw err
  }
  try {
    const { size } = await handle.stat()
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size))
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    return { bytes: size, format: sniffFormat(head.subarray(0, bytesRead)) }
  } finally {
    await handle.close()
  }
}
