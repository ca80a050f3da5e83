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
  /** storage v1: id -> record, newline, spec (read only to convert it) */
  legacy: string
  /** limits (src/limits): the queue's rate, the groups' defaults, each group's override */
  limits: string
  /** the queue rate's window log: lease -> lease time ms */
  qrate: string
  /** groups' rate window logs, one lex range per group: `group \0 time` members */
  grate: string
  /** per group: `q:<group>` queued, `r:<group>` running, `s:<group>` where it waits; `seq` */
  groups: string
  /** queued grouped jobs, one lex range per group: `group \0 priority seq id` members */
  gjobs: string
  /** groups with queued jobs, served round-robin */
  gready: string
  /** groups held back by a limit -> when to look again (far future: until a slot frees) */
  gwait: string
  /** every group with queued or running jobs, by name (cursor paging) */
  gindex: string
  /** grouped job id -> its gjobs member (which names its group), while the job lives */
  gof: string
  /** dedup key -> "id|mode|until" (lua/includes/dedup.lua) */
  dedup: string
  /** dedup keys that expire -> when */
  dedupexp: string
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
    limits: k('limits'),
    qrate: k('qrate'),
    grate: k('grate'),
    groups: k('groups'),
    gjobs: k('gjobs'),
    gready: k('gready'),
    gwait: k('gwait'),
    gindex: k('gindex'),
    gof: k('gof'),
    dedup: k('dedup'),
    dedupexp: k('dedupexp'),
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
    'meta',
    'groups',
    'gjobs',
    'gready',
    'gwait',
    'gindex',
    'gof',
    'dedup',
    'dedupexp',
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
    'limits',
    'qrate',
    'grate',
    'groups',
    'gjobs',
    'gready',
    'gwait',
    'gindex',
    'gof',
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
    'wake',
    'groups',
    'gjobs',
    'gready',
    'gwait',
    'gindex',
    'gof',
  ],
  fail: [
    'state',
    'leases',
    'retry',
    'dead',
    'errors',
    'events',
    'wake',
    'stats',
    'groups',
    'gjobs',
    'gready',
    'gwait',
    'gindex',
    'gof',
  ],
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
    'groups',
    'gjobs',
    'gready',
    'gwait',
    'gindex',
    'gof',
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
  retry: [
    'specs',
    'state',
    'dead',
    'cancelled',
    'events',
    'wake',
    'legacy',
    'adopted',
    'groups',
    'gjobs',
    'gready',
    'gwait',
    'gindex',
    'gof',
    'ready',
  ],
  cancel: [
    'specs',
    'state',
    'delayed',
    'retry',
    'cancelled',
    'events',
    'legacy',
    'adopted',
    'wake',
    'groups',
    'gjobs',
    'gready',
    'gwait',
    'gindex',
    'gof',
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
    'wake',
    'groups',
    'gjobs',
    'gready',
    'gwait',
    'gindex',
    'gof',
    'ready',
  ],
  pause: ['meta', 'events', 'wake'],
  counts: ['meta', 'delayed', 'retry', 'leases', 'completed', 'dead', 'cancelled', 'ready'],
  oldest: ['specs', 'state', 'ready'],
  migrate: ['meta', 'specs', 'state', 'legacy', 'adopted'],
  'limits-set': ['meta', 'limits', 'wake', 'groups', 'gjobs', 'gready', 'gwait', 'gindex', 'gof'],
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
