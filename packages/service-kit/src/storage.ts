import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'

export const UPLOAD_ID = /^[A-Za-z0-9_-]{1,64}$/

/** What the API records next to an uploaded file. */
export interface UploadMeta {
  uploadId: string
  /** the name the client gave, for display and downloads only: it never becomes a path */
  filename: string
  sourceFormat: string
  targetFormat: string
  bytes: number
  createdAt: number
}

/**
 * The layout of DATA_DIR, shared by the API (writes uploads, serves results) and the
 * worker (reads uploads, writes results and the dev outbox). Every path is built from
 * a server-generated id checked against UPLOAD_ID, never from a client's file name.
 */
export class Storage {
  readonly root: string

  constructor(dataDir: string) {
    this.root = resolve(dataDir)
  }

  uploadDir(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new Error(`invalid upload id "${uploadId}"`)
    return join(this.root, 'uploads', uploadId)
  }

  sourcePath(uploadId: string): string {
    return join(this.uploadDir(uploadId), 'source')
  }

  metaPath(uploadId: string): string {
    return join(this.uploadDir(uploadId), 'meta.json')
  }

  resultPath(uploadId: string, format: string): string {
    if (!/^[a-z0-9]{1,10}$/.test(format)) throw new Error(`invalid format "${format}"`)
    return join(this.uploadDir(uploadId), `result.${format}`)
  }

  outboxDir(kind: 'email' | 'sms'): string {
    return join(this.root, 'outbox', kind)
  }

  async ensure(dir: string): Promise<string> {
    await mkdir(dir, { recursive: true })
    return dir
  }
}
