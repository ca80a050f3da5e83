import { segment, type Transport } from './http.js'
import type {
  CallOptions,
  GroupLimits,
  GroupPage,
  GroupSummary,
  GroupsOptions,
  QueueLimits,
} from './types.js'

/**
 * A queue's limits and its groups' overrides (README "Groups, limits and dedup"), named
 * as queue-core's `Queue.limits` names them. `set` replaces the limits as a whole (what
 * it leaves out is no limit); every worker applies a change within a second. A bad value
 * is a ConveyorApiError `validation_failed` whose `details` name the field.
 */
export class LimitsApi {
  constructor(private readonly http: Transport) {}

  /** The queue's rate and its groups' defaults (GET /queues/:queue/limits). */
  get(queue: string, options: CallOptions = {}): Promise<QueueLimits> {
    return this.http.request<QueueLimits>({ method: 'GET', path: path(queue), ...options })
  }

  /** Replaces the queue's rate and its groups' defaults; resolves with what is stored. */
  set(queue: string, limits: QueueLimits, options: CallOptions = {}): Promise<QueueLimits> {
    return this.http.request<QueueLimits>({
      method: 'PUT',
      path: path(queue),
      body: limits,
      ...options,
    })
  }

  /** Removes the queue's rate and its groups' defaults. */
  async clear(queue: string, options: CallOptions = {}): Promise<void> {
    await this.http.request({ method: 'DELETE', path: path(queue), ...options })
  }

  /** One group's override; `{}` when it has none (the queue's defaults apply). */
  getGroup(queue: string, group: string, options: CallOptions = {}): Promise<GroupLimits> {
    return this.http.request<GroupLimits>({
      method: 'GET',
      path: path(queue, group),
      ...options,
    })
  }

  /** Replaces one group's override; resolves with what is stored. */
  setGroup(
    queue: string,
    group: string,
    limits: GroupLimits,
    options: CallOptions = {},
  ): Promise<GroupLimits> {
    return this.http.request<GroupLimits>({
      method: 'PUT',
      path: path(queue, group),
      body: limits,
      ...options,
    })
  }

  /** Removes one group's override: the queue's defaults apply to it again. */
  async clearGroup(queue: string, group: string, options: CallOptions = {}): Promise<void> {
    await this.http.request({ method: 'DELETE', path: path(queue, group), ...options })
  }

  /**
   * One page of the queue's groups with queued or running jobs, by name (GET
   * /queues/:queue/groups); pass its `cursor` back for the next page, null after the last.
   */
  groups(queue: string, options: GroupsOptions = {}): Promise<GroupPage> {
    const { cursor, limit, ...call } = options
    return this.http.request<GroupPage>({
      method: 'GET',
      path: `/queues/${segment(queue)}/groups`,
      query: { cursor: cursor ?? undefined, limit },
      ...call,
    })
  }

  /** Every group of the queue, page after page (`limit` per request). */
  async *allGroups(queue: string, options: GroupsOptions = {}): AsyncGenerator<GroupSummary> {
    let cursor = options.cursor ?? null
    do {
      const page = await this.groups(queue, { ...options, cursor })
      yield* page.groups
      cursor = page.cursor
    } while (cursor !== null)
  }
}

function path(queue: string, group?: string): string {
  const base = `/queues/${segment(queue)}`
  return group === undefined ? `${base}/limits` : `${base}/groups/${segment(group)}/limits`
}
