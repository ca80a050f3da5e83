/**
 * The only module that spells the scheduler's Redis key names: the leader lease and the
 * stored schedules, for the scheduler that fires them and the API that edits them. They
 * live under `${prefix}:scheduler:` (queue keys start with `${prefix}:{`, so no queue
 * name can collide) and share the hash tag `{leader}`: the claim script reads the lease,
 * a schedule's revision and its slot record in one call, so on Redis Cluster they must
 * sit in one slot. The tag keeps its old name so that a scheduler of an earlier version
 * and this one still compete for the same lease during a rolling upgrade.
 */
export interface SchedulerKeys {
  /** string "<holder>|<token>" with the lease as its TTL */
  lease: string
  /** counter: the newest fencing token */
  fence: string
  /** string "<token>|<ms>": when the lease holding that token was acquired */
  leaderSince: string
  /** hash: schedule id -> "<slot ms>|<state>|<token>|<fires>[|<pending job>]" */
  slots: string
  /** hash: schedule name -> schedule id */
  names: string
  /** hash: schedule id -> its current revision "<rev>|<since ms>|<status>|<json>" */
  defs: string
  /** hash: schedule id -> older revisions that may still owe slots, newline-separated */
  history: string
  /** sorted set: schedule id by when the leader must next look at it (ms) */
  due: string
  /** list of at most one marker: a write wakes the leader with it */
  nudge: string
  /** counter: the number in the next new schedule id */
  seq: string
  /** list: the schedule's last fires, newest first (JSON entries) */
  runs: (this: void, id: string) => string
  /** list: the schedule's last missed or skipped slots, newest first (JSON entries) */
  missed: (this: void, id: string) => string
}

/** A schedule id: "s:<n>". A name cannot contain ":", so an id never equals a name. */
const SCHEDULE_ID = /^s:\d{1,15}$/

export function isScheduleId(id: string): boolean {
  return SCHEDULE_ID.test(id)
}

export function schedulerKeys(prefix: string): SchedulerKeys {
  const base = `${prefix}:scheduler:{leader}:`
  const perSchedule = (kind: string) => (id: string) => {
    if (!isScheduleId(id)) throw new TypeError(`invalid schedule id "${id}"`)
    return `${base}${kind}:${id}`
  }
  return {
    lease: `${base}lease`,
    fence: `${base}fence`,
    leaderSince: `${base}leader-since`,
    slots: `${base}slots`,
    names: `${base}names`,
    defs: `${base}defs`,
    history: `${base}history`,
    due: `${base}due`,
    nudge: `${base}nudge`,
    seq: `${base}seq`,
    runs: perSchedule('runs'),
    missed: perSchedule('missed'),
  }
}

/**
 * The KEYS of each script of the schedule store (in queue-core's `lua/` folder), by
 * name, in the order its header lists them; `runs` and `missed` are the schedule's own.
 * test/script-headers.test.ts holds each script's header to this table.
 */
export const SCHEDULE_SCRIPT_KEYS = {
  'schedules-save': ['names', 'defs', 'history', 'slots', 'due', 'nudge', 'seq'],
  'schedules-delete': ['names', 'defs', 'history', 'slots', 'due', 'nudge', 'runs', 'missed'],
  'schedules-record-run': ['defs', 'runs'],
} as const satisfies Record<string, readonly (keyof SchedulerKeys)[]>

export type ScheduleScriptName = keyof typeof SCHEDULE_SCRIPT_KEYS

/** The KEYS of one call of a schedule store script; `id` names the schedule's own keys. */
export function scheduleScriptKeys(
  k: SchedulerKeys,
  script: ScheduleScriptName,
  id?: string,
): string[] {
  return SCHEDULE_SCRIPT_KEYS[script].map((name: keyof SchedulerKeys) => {
    const key = k[name]
    if (typeof key === 'string') return key
    if (id === undefined) throw new TypeError(`${script} needs a schedule id for ${name}`)
    return key(id)
  })
}
