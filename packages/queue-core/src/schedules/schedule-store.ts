import { connect, type RedisConnection, type RedisClient } from '../connection.js'
import { ConveyorError } from '../errors.js'
import type { JobRegistry } from '../registry.js'
import type { EnqueueResult } from '../queue.js'
import { compileChecker } from '../validation.js'
import { readLeaderInfo, type LeaderInfo } from './leader-info.js'
import { loadSchedules, type StoredSchedule } from './schedule-reads.js'
import { checkSchedule } from './schedule-check.js'
import { runJobId } from './schedule-job-ids.js'
import { schedulerKeys, type SchedulerKeys } from './schedule-keys.js'
import {
  decodeJsonList,
  decodeRevision,
  KEEP_RUNS,
  type MissedEntry,
  type Revision,
  type RevisionBody,
  type RunEntry,
  type ScheduleSource,
} from './schedule-record.js'
import { ScheduleScripts } from './schedule-scripts.js'
import { SchedulePatch, type ScheduleOptions, type ScheduleSpec } from './schedule-spec.js'
import { stableJson } from './stable-json.js'

/** The job a run-now enqueues, with its own job id. */
export interface ScheduledJob {
  type: string
  payload: unknown
  options: ScheduleOptions & { jobId: string }
}

export interface ScheduleStoreOptions {
  connection: RedisConnection
  /** the job types a schedule may fire; payloads are checked against their schemas */
  registry: JobRegistry
  /** first part of every key; default "conveyor" */
  prefix?: string
  /** epoch ms for revision times; default: the Redis server's clock, which every writer shares */
  clock?: () => number
}

interface Current {
  revision: Revision
  id: string
}

// A write races only another write of the same schedule; a few tries settle it.
const WRITE_TRIES = 5
const checkPatch = compileChecker<SchedulePatch>(SchedulePatch)

/**
 * Schedules stored in Redis, shared by the API (which edits them) and the scheduler
 * (which loads SCHEDULES_FILE into it and fires them). Every write checks the schedule
 * completely first (400 naming the field, nothing stored), then writes a new revision
 * atomically with the schedule's due entry and a nudge that wakes the leader.
 */
export class ScheduleStore {
  readonly keys: SchedulerKeys
  private readonly redis: RedisClient
  private readonly owned: boolean
  private readonly scripts: ScheduleScripts
  private readonly registry: JobRegistry
  private readonly clock: (() => number) | undefined

  constructor(options: ScheduleStoreOptions) {
    const { client, owned } = connect(options.connection)
    this.redis = client
    this.owned = owned
    this.keys = schedulerKeys(options.prefix ?? 'conveyor')
    this.scripts = new ScheduleScripts(client, this.keys)
    this.registry = options.registry
    this.clock = options.clock
  }

  async get(name: string): Promise<StoredSchedule | null> {
    const id = await this.redis.hget(this.keys.names, name)
    if (id === null) return null
    const [schedule] = await loadSchedules(this.redis, this.keys, [id])
    return schedule?.name === name ? schedule : null
  }

  /** Like get, but a missing schedule is ConveyorError('schedule_not_found'). */
  async require(name: string): Promise<StoredSchedule> {
    const schedule = await this.get(name)
    if (!schedule) throw notFound(name)
    return schedule
  }

  /** Every schedule, by name. */
  async list(): Promise<StoredSchedule[]> {
    const names = await this.redis.hgetall(this.keys.names)
    const all = await loadSchedules(this.redis, this.keys, Object.values(names))
    return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /**
   * Creates or replaces the named schedule (`source` 'api' may not replace a file's).
   * An unchanged spec writes nothing. The paused state is kept unless `enabled` changes.
   */
  async put(
    name: string,
    body: unknown,
    options: { source?: ScheduleSource } = {},
  ): Promise<{ schedule: StoredSchedule; created: boolean; changed: boolean }> {
    const source = options.source ?? 'api'
    const spec = checkSchedule(body, this.registry)
    for (let attempt = 0; attempt < WRITE_TRIES; attempt += 1) {
      const current = await this.current(name)
      if (current) this.assertEditable(current, source)
      const base = current?.revision
      if (base && base.source === source && stableJson(base.spec) === stableJson(spec)) {
        return { schedule: await this.require(name), created: false, changed: false }
      }
      const saved = await this.scripts.save({
        name,
        expectedRevision: base?.revision ?? 0,
        status: statusAfter(base, spec),
        json: bodyJson({ name, spec, source, createdAt: base?.createdAt ?? this.now() }),
        now: this.clock?.(),
      })
      if (saved.ok) return { schedule: await this.require(name), created: !base, changed: true }
    }
    throw busy(name)
  }

  /**
   * Changes some fields (top level; null removes an optional one) and, with `name`,
   * renames the schedule: the same identity, so no slot it decided is decided again.
   */
  async patch(
    name: string,
    patch: unknown,
    options: { source?: ScheduleSource } = {},
  ): Promise<StoredSchedule> {
    const source = options.source ?? 'api'
    const changes = checkPatch.parse(patch)
    for (let attempt = 0; attempt < WRITE_TRIES; attempt += 1) {
      const current = await this.current(name)
      if (!current) throw notFound(name)
      this.assertEditable(current, source)
      const base = current.revision
      const merged: Record<string, unknown> = { ...base.spec }
      for (const [field, value] of Object.entries(changes)) {
        if (field === 'name') continue
        if (value === null) delete merged[field]
        else merged[field] = value
      }
      const spec = checkSchedule(merged, this.registry)
      const newName = changes.name ?? name
      if (newName === name && stableJson(spec) === stableJson(base.spec)) {
        return this.require(name)
      }
      const saved = await this.scripts.save({
        name,
        expectedRevision: base.revision,
        newName,
        status: statusAfter(base, spec),
        json: bodyJson({ name: newName, spec, source: base.source, createdAt: base.createdAt }),
        now: this.clock?.(),
      })
      if (saved.ok) return this.require(newName)
      if (saved.reason === 'name_taken') {
        throw new ConveyorError('schedule_conflict', `a schedule named "${newName}" exists`, {
          details: [{ path: '/name', message: `is the name of another schedule` }],
        })
      }
    }
    throw busy(name)
  }

  /** Deletes the schedule: nothing of it fires for a slot after this call. */
  async delete(name: string, options: { source?: ScheduleSource } = {}): Promise<void> {
    const source = options.source ?? 'api'
    for (let attempt = 0; attempt < WRITE_TRIES; attempt += 1) {
      const current = await this.current(name)
      if (!current) throw notFound(name)
      this.assertEditable(current, source)
      const outcome = await this.scripts.delete({
        name,
        id: current.id,
        expectedRevision: current.revision.revision,
        now: this.clock?.(),
      })
      if (outcome !== 'conflict') return
    }
    throw busy(name)
  }

  /** Pauses or resumes (allowed for file-managed schedules too); a no-op if already so. */
  async setPaused(name: string, paused: boolean): Promise<StoredSchedule> {
    for (let attempt = 0; attempt < WRITE_TRIES; attempt += 1) {
      const current = await this.current(name)
      if (!current) throw notFound(name)
      const base = current.revision
      if ((base.status === 'paused') === paused) return this.require(name)
      const saved = await this.scripts.save({
        name,
        expectedRevision: base.revision,
        status: paused ? 'paused' : 'active',
        json: bodyJson(base),
        now: this.clock?.(),
      })
      if (saved.ok) return this.require(name)
    }
    throw busy(name)
  }

  /**
   * Fires the schedule once now, paused or not, with a job id of its own; the fire is
   * listed in its runs and does not count toward `limit`. `enqueue` is the caller's
   * queue-core enqueue for the job's type; its returned id is the one recorded.
   */
  async runNow(
    name: string,
    enqueue: (job: ScheduledJob) => Promise<EnqueueResult>,
  ): Promise<{ schedule: StoredSchedule; result: EnqueueResult }> {
    const schedule = await this.require(name)
    const { type, payload, options = {} } = schedule.spec
    const result = await enqueue({ type, payload, options: { ...options, jobId: runJobId(name) } })
    const entry: RunEntry = { slotMs: null, jobId: result.id, firedAt: Date.now(), kind: 'run' }
    await this.scripts.recordRun(schedule.id, JSON.stringify(entry))
    return { schedule, result }
  }

  /** The schedule's last fires and missed slots, newest first. */
  async history(id: string): Promise<{ runs: RunEntry[]; missed: MissedEntry[] }> {
    const [runs, missed] = await Promise.all([
      this.redis.lrange(this.keys.runs(id), 0, KEEP_RUNS - 1),
      this.redis.lrange(this.keys.missed(id), 0, KEEP_RUNS - 1),
    ])
    return { runs: decodeJsonList<RunEntry>(runs), missed: decodeJsonList<MissedEntry>(missed) }
  }

  /** Who leads the schedulers now; null when no scheduler holds the lease. */
  leader(): Promise<LeaderInfo | null> {
    return readLeaderInfo(this.redis, this.keys)
  }

  async close(): Promise<void> {
    if (!this.owned) return
    try {
      await this.redis.quit()
    } catch {
      this.redis.disconnect()
    }
  }

  private now(): number {
    return this.clock?.() ?? Date.now()
  }

  private async current(name: string): Promise<Current | null> {
    const id = await this.redis.hget(this.keys.names, name)
    if (id === null) return null
    const revision = decodeRevision(await this.redis.hget(this.keys.defs, id))
    // Renamed or deleted between the two reads: the caller's write will find out.
    if (!revision || revision.name !== name || revision.status === 'deleted') return null
    return { id, revision }
  }

  private assertEditable(current: Current, source: ScheduleSource): void {
    if (current.revision.source === 'file' && source !== 'file') {
      throw new ConveyorError(
        'schedule_file_managed',
        `schedule "${current.revision.name}" is defined in SCHEDULES_FILE, its source of truth: ` +
          'change it there (pause, resume and run are allowed here)',
      )
    }
  }
}

/** A new spec keeps the paused state, unless its `enabled` differs from the last one's. */
function statusAfter(base: Revision | undefined, spec: ScheduleSpec): 'active' | 'paused' {
  const enabled = spec.enabled ?? true
  if (!base || base.status === 'deleted' || (base.spec.enabled ?? true) !== enabled) {
    return enabled ? 'active' : 'paused'
  }
  return base.status
}

function bodyJson(b: RevisionBody): string {
  const body: RevisionBody = {
    name: b.name,
    spec: b.spec,
    source: b.source,
    createdAt: b.createdAt,
  }
  return JSON.stringify(body)
}

function notFound(name: string): ConveyorError {
  return new ConveyorError('schedule_not_found', `no schedule "${name}"`)
}

function busy(name: string): ConveyorError {
  return new ConveyorError('schedule_conflict', `schedule "${name}" kept changing; try again`)
}
