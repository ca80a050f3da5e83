import { isConveyorError } from '../errors.js'
import type { ScheduleFileEntry } from './schedule-spec.js'
import type { ScheduleStore } from './schedule-store.js'

export interface FileSyncResult {
  created: string[]
  updated: string[]
  unchanged: string[]
  /** file-managed schedules the file no longer has */
  removed: string[]
}

/**
 * Makes the stored file-managed schedules what SCHEDULES_FILE says: each entry upserted
 * (marked file-managed; one the API created with the same name is taken over), and
 * file-managed schedules the file no longer lists deleted. Entries must be checked.
 * Every scheduler runs this at start; with the same file all but the first write nothing.
 */
export async function syncScheduleFile(
  store: ScheduleStore,
  entries: readonly ScheduleFileEntry[],
): Promise<FileSyncResult> {
  const result: FileSyncResult = { created: [], updated: [], unchanged: [], removed: [] }
  const names = new Set<string>()
  for (const { name, ...spec } of entries) {
    names.add(name)
    const { created, changed } = await store.put(name, spec, { source: 'file' })
    const list = created ? result.created : changed ? result.updated : result.unchanged
    list.push(name)
  }
  for (const schedule of await store.list()) {
    if (schedule.source !== 'file' || names.has(schedule.name)) continue
    try {
      await store.delete(schedule.name, { source: 'file' })
      result.removed.push(schedule.name)
    } catch (err) {
      // Another scheduler starting with the same file removed it first.
      if (!isConveyorError(err, 'schedule_not_found')) throw err
    }
  }
  return result
}
