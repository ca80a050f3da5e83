import { KEY_PREFIX_PATTERN, QUEUE_NAME_PATTERN } from './schemas/names.js'

/**
 * The only module that spells Redis key names. Every key of a queue carries the
 * hash tag `{queue}`, so that all of them live in one Redis Cluster slot and every
 * script can touch them in one call.
 */
export const PRIORITY_LEVELS = 10

/** The storage layout this code writes; `meta.format` holds it once a queue is converted. */
export const STORAGE_FORMAT = 2

const QUEUE_NAME = new RegExp(QUEUE_NAME_PATTERN)
const PREFIX = new RegExp(KEY_PREFIX_PATTERN)

/** Every key of one queue, by the name the scripts' headers use for it. */
export interface QueueKeys {
  /** paused flag, storage format */
  meta: string
  /** id -> the job as enqueued (type, payload, options) as JSON: written once, never rewritten */
  specs: string
  /** id -> a big spec's metadata (everything but the payload), for listings */
  heads: string
  /** id -> the job's small mutable record (record-codec.ts); absent while a job waits for its first run */
  state: string
  results: string
  progress: string
  errors: string
  /** idempotency key -> id, and back */
  idem: string
  ikeys: string
  delayed: string
  retry: string
  leases: string
  completed: string
  dead: string
  cancelled: string
  events: string
  wake: string
  /** totals and histogram buckets for metrics */
  stats: string
  /** ids of storage v1 jobs converted on first touch, for migrate() to index */
  adopted: string
  /** worker id -> its last heartbeat (host, pid, slots, jobs in hand) as JSON; see worker-registry.ts */
  workers: string
  /** stem of the metrics-history buckets; historyBucketKey() builds each */
  history: string
  /** storage v1: id -> record, newline, spec (read only to convert it) */
  legacy: string
  /** ready:0 (runs first) .. ready:9 (runs last) */
  ready: readonly string[]
}

export type KeyName = Exclude<keyof QueueKeys, 'ready'> | 'ready'

export function isValidQueueName(name: string): boolean {
  return QUEUE_NAME.test(name)
}

export function isValidPrefix(prefix: string): boolean {
  return PREFIX.test(prefix)
}

export function queueKeys(prefix: string, queue: string): QueueKeys {
  if (!isValidPrefix(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  if (!isValidQueueName(queue)) throw new TypeError(`invalid queue name "${queue}"`)
  const base = `${prefix}:{${queue}}:`
  const k = (name: string) => `${base}${name}`
  return {
    meta: k('meta'),
    specs: k('specs'),
    heads: k('heads'),
    state: k('state'),
    results: k('results'),
    progress: k('progress'),
    errors: k('errors'),
    idem: k('idem'),
    ikeys: k('ikeys'),
    delayed: k('delayed'),
    retry: k('retry'),
    leases: k('leases'),
    completed: k('completed'),
    dead: k('dead'),
    cancelled: k('cancelled'),
    events: k('events'),
    wake: k('wake'),
    stats: k('stats'),
    adopted: k('adopted'),
    workers: k('workers'),
    history: k('history'),
    legacy: k('jobs'),
    ready: Array.from({ length: PRIORITY_LEVELS }, (_, p) => k(`ready:${p}`)),
  }
}

/**
 * Storage v1 job id -> queue, for ids issued before job ids named their queue. Outside
 * every queue's hash tag: only plain commands touch it, never a queue's script.
 */
export function legacyIdIndexKey(prefix: string): string {
  if (!isValidPrefix(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  return `${prefix}:legacy-ids`
}

/**
 * One bucket of a queue's metrics history: a hash of `<bucket start>:<type>:<outcome>`
 * counts, per hour of minutes ('m', keyed by the hour) or per day of hours ('h', keyed
 * by the day). Plain commands only touch it, never a script.
 */
export function historyBucketKey(keys: QueueKeys, resolution: 'm' | 'h', startMs: number): string {
  return `${keys.history}:${resolution}:${startMs}`
}

/** The audit log of mutations made through the API: a capped list, outside any queue. */
export function auditLogKey(prefix: string): string {
  if (!isValidPrefix(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  return `${prefix}:audit`
}

/**
 * The KEYS of each script, by name, in the order its header lists them; `ready` stands
 * for the ten ready lists and always comes last. test/script-headers.test.ts holds each
 * script's header to this table.
 */
export const SCRIPT_KEYS = {
  enqueue: [
    'specs',
    'state',
    'delayed',
    'idem',
    'ikeys',
    'events',
    'wake',
    'legacy',
    'heads',
    'ready',
  ],
  reserve: [
    'meta',
    'specs',
    'state',
    'delayed',
    'retry',
    'leases',
    'events',
    'wake',
    'legacy',
    'adopted',
    'ready',
  ],
  ack: [
    'specs',
    'state',
    'leases',
    'completed',
    'results',
    'progress',
    'errors',
    'idem',
    'ikeys',
    'events',
    'stats',
    'heads',
  ],
  fail: ['state', 'leases', 'retry', 'dead', 'errors', 'events', 'wake', 'stats'],
  extend: ['state', 'leases'],
  progress: ['state', 'progress', 'events'],
  release: ['state', 'leases', 'events', 'wake', 'ready'],
  rescue: [
    'specs',
    'state',
    'leases',
    'dead',
    'errors',
    'events',
    'wake',
    'stats',
    'legacy',
    'adopted',
    'ready',
  ],
  trim: [
    'specs',
    'state',
    'completed',
    'cancelled',
    'results',
    'progress',
    'errors',
    'idem',
    'ikeys',
    'legacy',
    'heads',
  ],
  retry: ['specs', 'state', 'dead', 'cancelled', 'events', 'wake', 'legacy', 'adopted', 'ready'],
  cancel: [
    'specs',
    'state',
    'delayed',
    'retry',
    'cancelled',
    'events',
    'legacy',
    'adopted',
    'ready',
  ],
  remove: [
    'specs',
    'state',
    'results',
    'progress',
    'errors',
    'idem',
    'ikeys',
    'delayed',
    'retry',
    'completed',
    'dead',
    'cancelled',
    'events',
    'legacy',
    'adopted',
    'heads',
    'ready',
  ],
  pause: ['meta', 'events', 'wake'],
  counts: ['meta', 'delayed', 'retry', 'leases', 'completed', 'dead', 'cancelled', 'ready'],
  oldest: ['specs', 'state', 'ready'],
  migrate: ['meta', 'specs', 'state', 'legacy', 'adopted'],
} as const satisfies Record<string, readonly KeyName[]>

export type ScriptName = keyof typeof SCRIPT_KEYS

/** The KEYS of each script as key strings, built once per queue. */
export type ScriptKeys = Record<ScriptName, readonly string[]>

export function scriptKeys(k: QueueKeys): ScriptKeys {
  const out = {} as Record<ScriptName, string[]>
  for (const [script, names] of Object.entries(SCRIPT_KEYS) as [ScriptName, readonly KeyName[]][]) {
    out[script] = names.flatMap((name) => (name === 'ready' ? [...k.ready] : [k[name]]))
  }
  return out
}
