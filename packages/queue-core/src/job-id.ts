import { randomBytes } from 'node:crypto'
import { isValidQueueName } from './keys.js'

// Local ids are this process's random tag plus a counter: short (they are stored
// several times per job), unique across processes with overwhelming odds, and free of
// any round trip. 8 base-36 characters give 2.8e12 tags.
const tag = BigInt(`0x${randomBytes(6).toString('hex')}`)
  .toString(36)
  .padStart(8, '0')
  .slice(-8)
let counter = 0

/** A fresh id, unique within any queue: the part of a job id after its queue. */
export function newLocalId(): string {
  counter += 1
  return `${tag}${counter.toString(36)}`
}

/**
 * A job's id names its queue: `<queue>:<local id>`. Queue names have no ':', so the
 * first one splits it; Redis stores only the local part (the queue is in every key).
 */
export function toJobId(queue: string, localId: string): string {
  return `${queue}:${localId}`
}

/** The queue and local id a job id names; null for an id of no queue (one issued before ids named their queue). */
export function parseJobId(id: string): { queue: string; localId: string } | null {
  const cut = id.indexOf(':')
  if (cut <= 0 || cut === id.length - 1) return null
  const queue = id.slice(0, cut)
  if (!isValidQueueName(queue)) return null
  return { queue, localId: id.slice(cut + 1) }
}
