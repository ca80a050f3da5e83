import { queueKeys, ScheduleStore, type ScheduleFileEntry, toJobId } from '@conveyor/queue-core'
import { deletePrefix, uniquePrefix } from '@conveyor/queue-core/testing'
import { jobRegistry } from '@conveyor/service-kit'
import { Redis } from 'ioredis'
import { inject } from 'vitest'
import { Scheduler, type FireEvent, type SchedulerOptions } from '../../src/scheduler.js'

export const redisUrl = (): string => inject('redisUrl')

export const perSecond = (name = 'tick'): ScheduleFileEntry => ({
  name,
  cron: '* * * * * *',
  type: 'sms',
  payload: { phone: '+84912345678', message: 'Thông báo định kỳ' },
})

/**
 * One test's isolated world: a key prefix, a schedule store on it, the schedulers it
 * started (each with its own Redis connection) and every fire they reported.
 * `cleanup` stops what is still running and deletes the prefix.
 */
export class World {
  readonly prefix: string
  readonly fires: (FireEvent & { by: number })[] = []
  readonly skips: { schedule: string; slotMs: number }[] = []
  readonly errors: unknown[] = []
  /** the store's clock for revision times; null: the real one */
  storeNow: number | null = null
  readonly store: ScheduleStore
  private readonly running = new Set<Scheduler>()
  private readonly clients: Redis[] = []
  private started = 0

  readonly url: string

  constructor(url = redisUrl()) {
    this.url = url
    this.prefix = uniquePrefix('sched')
    this.store = new ScheduleStore({
      connection: this.redis(),
      registry: jobRegistry,
      prefix: this.prefix,
      clock: () => this.storeNow ?? Date.now(),
    })
  }

  get keys() {
    return this.store.keys
  }

  /** Stores a schedule (source 'api' unless said) and returns its id. */
  async put(entry: ScheduleFileEntry, source: 'api' | 'file' = 'api'): Promise<string> {
    const { name, ...spec } = entry
    const { schedule } = await this.store.put(name, spec, { source })
    return schedule.id
  }

  scheduler(options: Omit<SchedulerOptions, 'redisUrl' | 'prefix'>): Scheduler {
    const s = new Scheduler({ redisUrl: this.url, prefix: this.prefix, ...options })
    const by = this.started
    this.started += 1
    s.on('fire', (e) => this.fires.push({ ...e, by }))
    s.on('skip', (e) => this.skips.push(e))
    s.on('error', (err) => this.errors.push(err))
    this.running.add(s)
    return s
  }

  /** Stops a scheduler; without releasing its lease it is as good as dead. */
  async stop(s: Scheduler, options: { releaseLease?: boolean } = {}): Promise<void> {
    this.running.delete(s)
    await s.stop(options)
  }

  redis(): Redis {
    const client = new Redis(this.url)
    this.clients.push(client)
    return client
  }

  /** Ids (`<queue>:sched:<name>:<slot ms>`) of the jobs a schedule fired, from the queue's specs hash. */
  async jobIds(name: string, queue = 'default'): Promise<string[]> {
    const client = this.redis()
    const ids: string[] = []
    let cursor = '0'
    do {
      const [next, entries] = await client.hscan(
        queueKeys(this.prefix, queue).specs,
        cursor,
        'MATCH',
        `sched:${name}:*`,
        'COUNT',
        1000,
      )
      cursor = next
      for (let i = 0; i < entries.length; i += 2) ids.push(toJobId(queue, entries[i] ?? ''))
    } while (cursor !== '0')
    return ids
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.running].map((s) => this.stop(s)))
    await Promise.all(this.clients.map((c) => c.quit()))
    await deletePrefix(this.url, this.prefix)
  }
}

/** Slot ms of `sched:<name>:<slot>` ids, ascending. */
export function slotsOf(ids: readonly string[]): number[] {
  return ids.map((id) => Number(id.split(':').at(-1))).sort((a, b) => a - b)
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
