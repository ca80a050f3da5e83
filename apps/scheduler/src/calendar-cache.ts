import { calendarOf, type Revision, type SlotCalendar } from '@conveyor/queue-core'

// Enough for every revision a tick touches; cleared whole when full (rebuilding is cheap).
const MAX_ENTRIES = 10_000

/**
 * Calendars by schedule id and revision, so that a per-second schedule does not parse
 * its cron pattern every second. A revision never changes, so an entry never goes stale.
 */
export class CalendarCache {
  private readonly byRevision = new Map<string, SlotCalendar | null>()

  constructor(private readonly onError: (err: unknown) => void) {}

  /** The revision's calendar; null (fires nothing) if its spec no longer parses. */
  get(id: string, revision: Revision): SlotCalendar | null {
    const key = `${id}#${revision.revision}`
    let calendar = this.byRevision.get(key)
    if (calendar === undefined) {
      try {
        calendar = calendarOf(revision.spec)
      } catch (err) {
        // A stored spec checked when written: only a changed timezone database or
        // croner release could make it fail here.
        this.onError(err)
        calendar = null
      }
      if (this.byRevision.size >= MAX_ENTRIES) this.byRevision.clear()
      this.byRevision.set(key, calendar)
    }
    return calendar
  }
}
