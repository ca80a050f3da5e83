import type { RedisClient } from './connection.js'
import { toJobId } from './job-id.js'
import type { QueueKeys } from './keys.js'
import { execPipeline, redisCall } from './redis-errors.js'

/** Dead jobs read per round trip. */
const CHUNK = 500
/** Grouping looks at the newest this many dead jobs at most; the answer says if it stopped short. */
export const MAX_GROUPED = 50_000

export interface DeadLetterGroup {
  fingerprint: string
  count: number
  /** ms since the epoch: the oldest and newest death in the group */
  firstSeen: number
  lastSeen: number
  types: string[]
  sample: { id: string; message: string; code?: string }
}

export interface DeadLetterGroups {
  groups: DeadLetterGroup[]
  /** dead jobs looked at */
  scanned: number
  total: number
}

/**
 * What makes two errors "the same": their code (when the handler gave one) and their
 * message with everything that varies from job to job (URLs, ids, numbers, quoted
 * values) masked, so "timeout after 3012 ms for order 81f3…" and "timeout after 977 ms
 * for order 02ab…" fall in one group.
 */
export function errorFingerprint(error: { message?: string; code?: string }): string {
  const masked = String(error.message ?? '')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/"[^"]*"|'[^']*'/g, '<value>')
    .replace(/\b[0-9a-z]*\d[0-9a-z]*\b/gi, (word) => (/^\d+$/.test(word) ? '<n>' : '<id>'))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200)
  return typeof error.code === 'string' && error.code !== '' ? `[${error.code}] ${masked}` : masked
}

interface DeadEntry {
  id: string
  diedAt: number
  type: string
  message: string
  code?: string
}

/** Reads the dead-letter list in chunks and groups it by error fingerprint. */
export class DeadLetterGrouper {
  constructor(
    private readonly queue: string,
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
  ) {}

  async groups(): Promise<DeadLetterGroups> {
    const byPrint = new Map<string, DeadLetterGroup & { typeSet: Set<string> }>()
    let scanned = 0
    for await (const chunk of this.chunks()) {
      scanned += chunk.length
      for (const e of chunk) {
        const print = errorFingerprint(e)
        const group = byPrint.get(print)
        if (group) {
          group.count += 1
          group.firstSeen = Math.min(group.firstSeen, e.diedAt)
          group.lastSeen = Math.max(group.lastSeen, e.diedAt)
          group.typeSet.add(e.type)
          continue
        }
        const sample = { id: toJobId(this.queue, e.id), message: e.message.slice(0, 500) }
        byPrint.set(print, {
          fingerprint: print,
          count: 1,
          firstSeen: e.diedAt,
          lastSeen: e.diedAt,
          types: [],
          typeSet: new Set([e.type]),
          sample: e.code === undefined ? sample : { ...sample, code: e.code },
        })
      }
    }
    const total = await redisCall(this.redis.zcard(this.keys.dead))
    const groups = [...byPrint.values()]
      .map(({ typeSet, ...g }) => ({ ...g, types: [...typeSet].sort() }))
      .sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen)
    return { groups, scanned, total }
  }

  /** Local ids of the dead jobs whose error has this fingerprint (read before any is acted on). */
  async members(fingerprint: string): Promise<string[]> {
    const ids: string[] = []
    for await (const chunk of this.chunks()) {
      for (const e of chunk) if (errorFingerprint(e) === fingerprint) ids.push(e.id)
    }
    return ids
  }

  /** The dead jobs, newest first, a chunk at a time, up to MAX_GROUPED. */
  private async *chunks(): AsyncGenerator<DeadEntry[]> {
    for (let start = 0; start < MAX_GROUPED; start += CHUNK) {
      const flat = await redisCall(
        this.redis.zrange(this.keys.dead, start, start + CHUNK - 1, 'REV', 'WITHSCORES'),
      )
      const ids: string[] = []
      const scores: number[] = []
      for (let i = 0; i < flat.length; i += 2) {
        ids.push(flat[i] ?? '')
        scores.push(Number(flat[i + 1]))
      }
      if (ids.length === 0) return
      const [errors, heads] = (await execPipeline(
        this.redis
          .pipeline()
          .hmget(this.keys.errors, ...ids)
          .hmget(this.keys.heads, ...ids),
      )) as (string | null)[][]
      const types = await this.typesOf(ids, heads ?? [])
      yield ids.map((id, i) => ({
        id,
        diedAt: scores[i] ?? 0,
        type: types[i] ?? 'unknown',
        ...parseError(errors?.[i] ?? null),
      }))
      if (ids.length < CHUNK) return
    }
  }

  /** Each job's type, from its head (big specs) or the start of its spec. */
  private async typesOf(ids: string[], heads: (string | null)[]): Promise<string[]> {
    const missing = ids.filter((_, i) => heads[i] === null || heads[i] === undefined)
    const pipeline = this.redis.pipeline()
    // Only small specs lack a head, so reading them whole stays cheap.
    for (const id of missing) pipeline.hget(this.keys.specs, id)
    const specs = missing.length === 0 ? [] : ((await execPipeline(pipeline)) as (string | null)[])
    const byId = new Map(missing.map((id, i) => [id, specs[i] ?? null]))
    return ids.map((id, i) => typeOf(heads[i] ?? byId.get(id) ?? null))
  }
}

function typeOf(json: string | null): string {
  const match = json === null ? null : /"type"\s*:\s*"([^"]*)"/.exec(json)
  return match?.[1] ?? 'unknown'
}

function parseError(raw: string | null): { message: string; code?: string } {
  if (raw === null) return { message: '' }
  try {
    const e = JSON.parse(raw) as { message?: unknown; code?: unknown }
    const message = typeof e.message === 'string' ? e.message : JSON.stringify(e.message ?? '')
    return typeof e.code === 'string' ? { message, code: e.code } : { message }
  } catch {
    return { message: raw }
  }
}
