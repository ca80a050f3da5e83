import { randomBytes } from 'node:crypto'

// Ids are this process's random tag plus a counter: short (they are stored three
// times per job), unique across processes with overwhelming odds, and free of any
// round trip. 8 base-36 characters give 2.8e12 tags.
const tag = BigInt(`0x${randomBytes(6).toString('hex')}`)
  .toString(36)
  .padStart(8, '0')
  .slice(-8)
let counter = 0

export function newJobId(): string {
  counter += 1
  return `${tag}${counter.toString(36)}`
}
