/**
 * The only module that spells Redis key names. Every key of a queue carries the
 * hash tag `{queue}`, so that all of them live in one Redis Cluster slot and every
 * script can touch them in one call.
 */
export const PRIORITY_LEVELS = 10

export interface QueueKeys {
  meta: string
  /** id -> the job's record, a newline, its spec JSON (lua/includes/record.lua) */
  jobs: string
  results: string
  progress: string
  errors: string
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
  /** ready:0 (runs first) .. ready:9 (runs last) */
  ready: readonly string[]
}

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/
const PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/

export function isValidQueueName(name: string): boolean {
  return QUEUE_NAME.test(name)
}

export function queueKeys(prefix: string, queue: string): QueueKeys {
  if (!PREFIX.test(prefix)) throw new TypeError(`invalid key prefix "${prefix}"`)
  if (!isValidQueueName(queue)) throw new TypeError(`invalid queue name "${queue}"`)
  const base = `${prefix}:{${queue}}:`
  const ready = Array.from({ length: PRIORITY_LEVELS }, (_, p) => `${base}ready:${p}`)
  return {
    meta: `${base}meta`,
    jobs: `${base}jobs`,
    results: `${base}results`,
    progress: `${base}progress`,
    errors: `${base}errors`,
    idem: `${base}idem`,
    ikeys: `${base}ikeys`,
    delayed: `${base}delayed`,
    retry: `${base}retry`,
    leases: `${base}leases`,
    completed: `${base}completed`,
    dead: `${base}dead`,
    cancelled: `${base}cancelled`,
    events: `${base}events`,
    wake: `${base}wake`,
    stats: `${base}stats`,
    ready,
  }
}

/** The KEYS of each script, in the order its header lists them. Built once per queue. */
export function scriptKeys(k: QueueKeys) {
  const { ready } = k
  return {
    enqueue: [k.jobs, k.delayed, k.idem, k.ikeys, k.events, k.wake, ...ready],
    reserve: [k.meta, k.jobs, k.delayed, k.retry, k.leases, k.events, k.wake, ...ready],
    ack: [
      k.jobs,
      k.leases,
      k.completed,
      k.results,
      k.progress,
      k.errors,
      k.idem,
      k.ikeys,
      k.events,
      k.stats,
    ],
    fail: [k.jobs, k.leases, k.retry, k.dead, k.errors, k.events, k.wake, k.stats],
    extend: [k.jobs, k.leases],
    progress: [k.jobs, k.progress, k.events],
    release: [k.jobs, k.leases, k.events, k.wake, ...ready],
    recover: [
      k.jobs,
      k.leases,
      k.dead,
      k.errors,
      k.events,
      k.wake,
      k.completed,
      k.cancelled,
      k.results,
      k.progress,
      k.idem,
      k.ikeys,
      ...ready,
      k.stats,
    ],
    retry: [k.jobs, k.dead, k.cancelled, k.events, k.wake, ...ready],
    cancel: [k.jobs, k.delayed, k.retry, k.cancelled, k.events, ...ready],
    remove: [
      k.jobs,
      k.results,
      k.progress,
      k.errors,
      k.idem,
      k.ikeys,
      k.delayed,
      k.retry,
      k.completed,
      k.dead,
      k.cancelled,
      k.events,
      ...ready,
    ],
    pause: [k.meta, k.events, k.wake],
    counts: [k.meta, k.delayed, k.retry, k.leases, k.completed, k.dead, k.cancelled, ...ready],
  } satisfies Record<ScriptName, string[]>
}

export type ScriptName =
  | 'enqueue'
  | 'reserve'
  | 'ack'
  | 'fail'
  | 'extend'
  | 'progress'
  | 'release'
  | 'recover'
  | 'retry'
  | 'cancel'
  | 'remove'
  | 'pause'
  | 'counts'

export type ScriptKeys = ReturnType<typeof scriptKeys>
