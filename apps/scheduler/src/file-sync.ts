import {
  syncScheduleFile,
  type FileSyncResult,
  type ScheduleFileEntry,
  type ScheduleStore,
} from '@conveyor/queue-core'

const RETRY_MS = 1_000

export interface FileSyncOptions {
  store: ScheduleStore
  entries: readonly ScheduleFileEntry[]
  onDone: (result: FileSyncResult) => void
  onError: (err: unknown) => void
  /** stop retrying (shutdown) */
  stopped: () => boolean
}

/**
 * Stores SCHEDULES_FILE's schedules as file-managed, retrying every second while Redis
 * cannot be reached: a scheduler starts (and may lead, firing what is stored) before
 * Redis answers, as it always did.
 */
export async function syncFileUntilDone(o: FileSyncOptions): Promise<void> {
  while (!o.stopped()) {
    try {
      o.onDone(await syncScheduleFile(o.store, o.entries))
      return
    } catch (err) {
      o.onError(err)
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
    }
  }
}
