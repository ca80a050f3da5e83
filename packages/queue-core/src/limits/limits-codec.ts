import type { GroupLimits, QueueLimits, RateLimit } from './limits-schema.js'

/**
 * The stored form of limits, as lua/includes/limits.lua reads it: a rate is
 * "max|perMs", a group override "concurrency|max|perMs" with '' for what it leaves to
 * the queue's default; '' as a whole means none.
 */
export function encodeRate(rate: RateLimit | undefined): string {
  return rate ? `${rate.max}|${rate.perMs}` : ''
}

export function decodeRate(raw: string | null | undefined): RateLimit | undefined {
  const m = /^(\d+)\|(\d+)$/.exec(raw ?? '')
  return m ? { max: Number(m[1]), perMs: Number(m[2]) } : undefined
}

/** The three values limits-set takes for a queue: rate, groups' concurrency, groups' rate. */
export function encodeQueueLimits(l: QueueLimits): [string, string, string] {
  const c = l.groups?.concurrency
  return [encodeRate(l.rate), c === undefined ? '' : String(c), encodeRate(l.groups?.rate)]
}

export function decodeQueueLimits(
  rate: string | null,
  gconc: string | null,
  grate: string | null,
): QueueLimits {
  const out: QueueLimits = {}
  const r = decodeRate(rate)
  if (r) out.rate = r
  const groups = groupLimits(gconc, decodeRate(grate))
  if (groups) out.groups = groups
  return out
}

export function encodeGroupLimits(l: GroupLimits): string {
  if (l.concurrency === undefined && l.rate === undefined) return ''
  const rate = l.rate ? `${l.rate.max}|${l.rate.perMs}` : '|'
  return `${l.concurrency ?? ''}|${rate}`
}

export function decodeGroupLimits(raw: string | null): GroupLimits | undefined {
  const m = /^(\d*)\|(\d*)\|(\d*)$/.exec(raw ?? '')
  if (!m) return undefined
  const rate = m[2] && m[3] ? { max: Number(m[2]), perMs: Number(m[3]) } : undefined
  return groupLimits(m[1] ?? '', rate) ?? {}
}

function groupLimits(conc: string | null, rate: RateLimit | undefined): GroupLimits | undefined {
  if (!conc && !rate) return undefined
  const out: GroupLimits = {}
  if (conc) out.concurrency = Number(conc)
  if (rate) out.rate = rate
  return out
}
