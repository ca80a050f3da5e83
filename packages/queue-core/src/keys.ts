import { KEY_PREFIX_PATTERN, QUEUE_NAME_PATTERN } from './schemas/names.js'
import type { JobState } from './schemas/job-record.js'

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
  /** flow jobs waiting for their parents: id -> created ms (workflows/) */
  waiting: string
  /** flow jobs of this queue: id -> "<flow id>|<node>" (workflows/) */
  flowjobs: string
  /** running jobs asked to stop: id -> asked ms (cleared when the job ends cancelled) */
  cancels: string
  /** pub/sub channel (not a key): a running job's id, published when it is cancelled */
  cancelChannel: string
  /** limits (src/limits): the queue's rate, the groups' defaults, each group's override */
  limits: string
  /** the queue rate's window log: lease -> lease time ms */
  qrate: string
  /** groups' rate window logs, one lex range per group: `group \0 time` members */
  grate: string
  /** group -> when its rate log lapses (its last lease + its window): idle groups' logs are trimmed by it */
  grateexp: string
  /**
   * per group: `q:<group>` queued, `r:<group>` running, `s:<group>` where it waits; `seq`;
   * `held:c` / `held:w` queued jobs of the groups held back (lua/includes/groups.lua)
   */
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
  /** job id -> the `unique` dedup key it holds, given back when the job finishes */
  dedupof: string
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
    grateexp: k('grateexp'),
    groups: k('groups'),
    gjobs: k('gjobs'),
    gready: k('gready'),
    gwait: k('gwait'),
    gindex: k('gindex'),
    gof: k('gof'),
    dedup: k('dedup'),
    dedupexp: k('dedupexp'),
    dedupof: k('dedupof'),
    workers: k('workers'),
    history: k('history'),
    legacy: k('jobs'),
    waiting: k('waiting'),
    flowjobs: k('flowjobs'),
    cancels: k('cancels'),
    cancelChannel: k('cancel'),
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
 * A key that readiness checks write (with a short expiry) to learn whether Redis takes
 * writes now; outside every queue's hash tag, touched by plain commands only.
 */
export function writeProbeKey(prefix: string): string {
  if (!isValidPrefix(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  return `${prefix}:write-probe`
}

/**
 * One bucket of a queue's metrics history: a hash of `<bucket start>:<type>:<outcome>`
 * counts and `<bucket start>:<type>:w<n>` / `r<n>` wait and run time histogram counts
 * (latency-buckets.ts), per hour of minutes ('m', keyed by the hour) or per day of hours
 * ('h', keyed by the day). Plain commands only touch it, never a script.
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
 * An API request made idempotent by its key that is not one enqueue (POST /flows,
 * /batches): its fingerprint, whether it runs or ran, and its answer. `key` is the
 * hashed, API-key-scoped Idempotency-Key.
 */
export function idempotentRequestKey(prefix: string, key: string): string {
  if (!isValidPrefix(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  if (!/^[0-9a-f]{64}$/.test(key)) throw new TypeError('an idempotency key is a sha256 in hex')
  return `${prefix}:request:${key}`
}

/** The sorted set that indexes the jobs in a state (queued jobs live in lists instead). */
export function stateIndexKey(keys: QueueKeys, state: Exclude<JobState, 'queued'>): string {
  return {
    scheduled: keys.delayed,
    retrying: keys.retry,
    active: keys.leases,
    completed: keys.completed,
    dead: keys.dead,
    cancelled: keys.cancelled,
    waiting: keys.waiting,
  }[state]
}

/**
 * A group's state (lua/includes/groups.lua, the `G` table of a script): every script
 * that moves a grouped job takes all six, in this order.
 */
const GROUP_KEYS = ['groups', 'gjobs', 'gready', 'gwait', 'gindex', 'gof'] as const

/** The dedup keys (lua/includes/dedup.lua): what takes a key, and what ends a job. */
const DEDUP_KEYS = ['dedup', 'dedupexp', 'dedupof'] as const

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
    ...GROUP_KEYS,
    ...DEDUP_KEYS,
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
    ...GROUP_KEYS,
    'grateexp',
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
    ...GROUP_KEYS,
    ...DEDUP_KEYS,
    'cancels',
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
    'cancelled',
    'cancels',
    ...GROUP_KEYS,
    ...DEDUP_KEYS,
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
    ...GROUP_KEYS,
    ...DEDUP_KEYS,
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
    ...GROUP_KEYS,
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
    'cancels',
    'wake',
    ...GROUP_KEYS,
    ...DEDUP_KEYS,
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
    ...GROUP_KEYS,
    ...DEDUP_KEYS,
    'ready',
  ],
  pause: ['meta', 'events', 'wake'],
  counts: [
    'meta',
    'delayed',
    'retry',
    'leases',
    'completed',
    'dead',
    'cancelled',
    'waiting',
    'gjobs',
    'ready',
  ],
  oldest: ['specs', 'state', 'ready'],
  migrate: ['meta', 'specs', 'state', 'legacy', 'adopted'],
  'flow-add': ['specs', 'state', 'waiting', 'flowjobs', 'heads'],
  'flow-release': [
    'specs',
    'state',
    'waiting',
    'cancelled',
    'errors',
    'flowjobs',
    'events',
    'wake',
    'heads',
    'ready',
  ],
  'limits-set': ['meta', 'limits', 'wake', ...GROUP_KEYS],
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

/**
 * A flow's keys (workflows/). They share the hash tag `{flow:<id>}`, apart from every
 * queue's (a queue name has no ':'), so that a flow's bookkeeping is one slot and no
 * script ever touches a flow's keys and a queue's together: each step across the two is
 * a script of its own, idempotent, and repaired by the FlowSweeper if a process dies
 * between steps.
 */
export interface FlowKeys {
  /** hash: name, state, createdAt, total, finished, failed, cancelled, finishedAt */
  meta: string
  /** hash: node -> JSON { job, dependsOn, cont } (written once, at creation) */
  nodes: string
  /** hash: node -> its children, comma-separated (written once) */
  children: string
  /** hash: node -> how many of its parents have not finished */
  pending: string
  /** hash: node -> completed | dead | cancelled, once the node's job finished */
  outcomes: string
  /** hash: node -> its job's result JSON, for its children's handlers */
  results: string
  /** hash: node -> a decision (run, cancel|<parent>, wait) made and maybe not yet applied */
  todo: string
  /** stream of the flow's progress */
  events: string
}

/** A flow id: generated, the same alphabet as a local job id. */
const FLOW_ID = /^[a-z0-9]{1,40}$/

export function isValidFlowId(id: string): boolean {
  return FLOW_ID.test(id)
}

export function flowKeys(prefix: string, flowId: string): FlowKeys {
  if (!isValidPrefix(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  if (!isValidFlowId(flowId)) throw new TypeError(`invalid flow id "${flowId}"`)
  const base = `${prefix}:{flow:${flowId}}:`
  return {
    meta: `${base}meta`,
    nodes: `${base}nodes`,
    children: `${base}children`,
    pending: `${base}pending`,
    outcomes: `${base}outcomes`,
    results: `${base}results`,
    todo: `${base}todo`,
    events: `${base}events`,
  }
}

/**
 * Flows not known to be finished, by when the FlowSweeper should next look at one (ms).
 * A key of its own slot: only plain commands touch it, never a script.
 */
export function flowIndexKey(prefix: string): string {
  if (!isValidPrefix(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  return `${prefix}:flows`
}

/** The KEYS of each flow script, in the order its header lists them. */
export const FLOW_SCRIPT_KEYS = {
  'flow-commit': ['meta', 'nodes', 'todo', 'events'],
  'flow-done': ['meta', 'nodes', 'children', 'pending', 'outcomes', 'results', 'todo', 'events'],
  'flow-cancel': ['meta', 'nodes', 'outcomes', 'todo', 'events'],
  'flow-reopen': ['meta', 'nodes', 'children', 'pending', 'outcomes', 'results', 'todo', 'events'],
} as const satisfies Record<string, readonly (keyof FlowKeys)[]>

export type FlowScriptName = keyof typeof FLOW_SCRIPT_KEYS

/**
 * A batch's keys (workflows/), under the hash tag `{batch:<id>}`, like a flow's: one
 * slot of their own, never in a script with a queue's keys.
 */
export interface BatchKeys {
  /** hash: state (open, closed, done), createdAt, name, total, completed, dead,
   * cancelled, onSuccess and onComplete (the callback jobs as JSON), fired:<kind> */
  meta: string
  /** set: the batch's job ids */
  members: string
  /** hash: job id -> completed | dead | cancelled, each job counted once */
  outcomes: string
}

export function batchKeys(prefix: string, batchId: string): BatchKeys {
  if (!isValidPrefix(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  if (!isValidFlowId(batchId)) throw new TypeError(`invalid batch id "${batchId}"`)
  const base = `${prefix}:{batch:${batchId}}:`
  return { meta: `${base}meta`, members: `${base}members`, outcomes: `${base}outcomes` }
}

/** Batches not known to be done, by when a sweeper should next look at one (ms). */
export function batchIndexKey(prefix: string): string {
  if (!isValidPrefix(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  return `${prefix}:batches`
}

/** The KEYS of each batch script, in the order its header lists them. */
export const BATCH_SCRIPT_KEYS = {
  'batch-add': ['meta', 'members'],
  'batch-done': ['meta', 'outcomes'],
  'batch-close': ['meta'],
} as const satisfies Record<string, readonly (keyof BatchKeys)[]>

export type BatchScriptName = keyof typeof BATCH_SCRIPT_KEYS

/** The KEYS of the scripts behind an idempotent API request (request-claims.ts). */
export const REQUEST_SCRIPT_KEYS = {
  'request-claim': ['record'],
  'request-release': ['record'],
  'request-done': ['record'],
} as const

export type RequestScriptName = keyof typeof REQUEST_SCRIPT_KEYS
