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

// Each bulk call carries this many jobs; calls go one after another for every system.
export const BULK_SLICE = 1000

export function payloads(from: number, count: number): BenchPayload[] {
  return Array.from({ length: count }, (_, k) => ({ i: from + k, t: 0 }))
}

/** Enqueues n jobs with the system's bulk API, one slice at a time. */
export async function fill(producer: Producer, n: number): Promise<void> {
  for (let i = 0; i < n; i += BULK_SLICE) {
    await producer.addBulk(payloads(i, Math.min(BULK_SLICE, n - i)))
  }
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
