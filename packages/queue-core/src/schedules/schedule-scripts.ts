import type { RedisClient } from '../connection.js'
import { runScript } from '../script-runner.js'
import { scheduleScriptKeys, type ScheduleScriptName, type SchedulerKeys } from './schedule-keys.js'
import { KEEP_REVISIONS, KEEP_RUNS, type RevisionStatus } from './schedule-record.js'

export interface SaveArgs {
  name: string
  /** 0: create (the name must be free); n: the schedule must be at revision n */
  expectedRevision: number
  /** rename to this; undefined keeps the name */
  newName?: string | undefined
  status: Exclude<RevisionStatus, 'deleted'>
  /** the revision's JSON (RevisionBody) */
  json: string
  /** ms; undefined: the Redis server's clock */
  now?: number | undefined
}

export type SaveOutcome =
  | { ok: true; id: string; revision: number; since: number }
  | { ok: false; reason: 'conflict' | 'name_taken' }

export interface DeleteArgs {
  name: string
  id: string
  expectedRevision: number
  now?: number | undefined
}

/** 'deleted'; 'deferred': deleted, slots it owed from before are left to the leader; 'conflict'. */
export type DeleteOutcome = 'deleted' | 'deferred' | 'conflict'

/** One typed wrapper per script of the schedule store; EVALSHA, falling back to EVAL once. */
export class ScheduleScripts {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: SchedulerKeys,
  ) {}

  private run(name: ScheduleScriptName, args: string[], id?: string): Promise<unknown> {
    return runScript(this.redis, name, scheduleScriptKeys(this.keys, name, id), args)
  }

  async save(a: SaveArgs): Promise<SaveOutcome> {
    const reply = (await this.run('schedules-save', [
      a.name,
      String(a.expectedRevision),
      a.newName ?? '',
      a.status,
      a.json,
      String(KEEP_REVISIONS),
      a.now === undefined ? '' : String(a.now),
    ])) as [string | number, number?, string?]
    if (reply[0] === -1) return { ok: false, reason: 'conflict' }
    if (reply[0] === -2) return { ok: false, reason: 'name_taken' }
    return { ok: true, id: String(reply[0]), revision: Number(reply[1]), since: Number(reply[2]) }
  }

  async delete(a: DeleteArgs): Promise<DeleteOutcome> {
    const reply = await this.run(
      'schedules-delete',
      [
        a.name,
        a.id,
        String(a.expectedRevision),
        String(KEEP_REVISIONS),
        a.now === undefined ? '' : String(a.now),
      ],
      a.id,
    )
    if (reply === 1) return 'deleted'
    if (reply === 2) return 'deferred'
    return 'conflict'
  }

  /** Adds a run-now to the schedule's runs; false when the schedule is gone. */
  async recordRun(id: string, entry: string): Promise<boolean> {
    const reply = await this.run('schedules-record-run', [id, entry, String(KEEP_RUNS)], id)
    return reply === 1
  }
}
