import type { BenchArgs, SystemName } from '../cli-args.js'
import type { RedisTarget } from '../redis-target.js'
import type { ResultSet } from '../results.js'
import type { BenchPayload, Producer } from '../systems/system.js'

export interface ScenarioContext {
  args: BenchArgs
  target: RedisTarget
  results: ResultSet
  /** the systems to run, in table order */
  systems: SystemName[]
  log(line: string): void
}

// Each bulk call carries this many jobs (fewer for big payloads: about 8 MB a call);
// calls go one after another for every system.
export const BULK_SLICE = 1000
const BULK_BYTES = 8_000_000

// `{"i":123456,"t":0,"pad":""}`: what a padded payload's JSON holds besides the padding.
const FIELDS_BYTES = 27

/** Jobs with payloads of about `bytes` of JSON (0: the small `{i, t}` alone). */
export function payloads(from: number, count: number, bytes = 0): BenchPayload[] {
  const pad = bytes > 0 ? 'x'.repeat(Math.max(0, bytes - FIELDS_BYTES)) : undefined
  return Array.from({ length: count }, (_, k) =>
    pad === undefined ? { i: from + k, t: 0 } : { i: from + k, t: 0, pad },
  )
}

/** Enqueues n jobs with the system's bulk API, one slice at a time. */
export async function fill(producer: Producer, n: number, bytes = 0): Promise<void> {
  const slice = Math.max(1, Math.min(BULK_SLICE, Math.floor(BULK_BYTES / Math.max(bytes, 1))))
  for (let i = 0; i < n; i += slice) {
    await producer.addBulk(payloads(i, Math.min(slice, n - i), bytes))
  }
}

/** Jobs per run at a payload size: n, but no more than about 300 MB of payloads. */
export function jobsAtSize(n: number, bytes: number): number {
  return Math.max(100, Math.min(n, Math.floor(300_000_000 / bytes)))
}

/** 1000 -> "1 KB", 1000000 -> "1 MB" (decimal, as the sizes are given). */
export function sizeLabel(bytes: number): string {
  if (bytes >= 1_000_000) return `${bytes / 1_000_000} MB`
  if (bytes >= 1_000) return `${bytes / 1_000} KB`
  return `${bytes} B`
}

/** Resolves when Redis shows no job waiting or running; rejects after timeoutMs. */
export async function waitSettled(producer: Producer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const left = await producer.pending()
    if (left === 0) return
    if (Date.now() > deadline) throw new Error(`${left} jobs still pending after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** A promise resolved by the count-th call of tick(); the timer guards against a stuck run. */
export function countdown(count: number, timeoutMs: number) {
  let seen = 0
  let resolve: () => void = () => undefined
  let reject: (err: Error) => void = () => undefined
  const done = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  const timer = setTimeout(
    () => reject(new Error(`only ${seen} of ${count} jobs seen within ${timeoutMs} ms`)),
    timeoutMs,
  )
  return {
    done: done.finally(() => clearTimeout(timer)),
    tick: (by = 1): void => {
      seen += by
      if (seen >= count) resolve()
    },
    get seen() {
      return seen
    },
  }
}

/** A generous bound: no system here is slower than 500 jobs/s. */
export function timeoutFor(jobs: number): number {
  return 30_000 + jobs * 2
}

/**
 * Runs fn for each repetition and system, systems interleaved so that drift over the
 * run touches all of them alike; FLUSHALL before each. A failed run is noted, not fatal.
 */
export async function eachRun(
  ctx: ScenarioContext,
  o: { title: string; systems: readonly SystemName[] },
  fn: (system: SystemName, rep: number) => Promise<string>,
): Promise<void> {
  for (let rep = 1; rep <= ctx.args.reps; rep++) {
    for (const system of o.systems) {
      await ctx.target.flush()
      try {
        const line = await fn(system, rep)
        ctx.log(`  ${o.title} ${system.padEnd(9)} rep ${rep}: ${line}`)
      } catch (err) {
        const message = `${o.title} ${system} rep ${rep}: ${err instanceof Error ? err.message : String(err)}`
        ctx.results.errors.push(message)
        ctx.log(`  FAILED ${message}`)
      }
    }
  }
  await ctx.target.flush()
}
