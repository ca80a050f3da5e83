import { randomInt } from 'node:crypto'

// The random part tells apart processes (vitest forks, parallel CI jobs) sharing
// one Redis; the counter tells apart calls within a process.
const processTag = randomInt(36 ** 8)
  .toString(36)
  .padStart(8, '0')
let counter = 0

/** A short unique key prefix such as `t-k3x9qa1z-1`, to isolate one test's keys. */
export function uniquePrefix(label = 't'): string {
  counter += 1
  return `${label}-${processTag}-${counter}`
}
