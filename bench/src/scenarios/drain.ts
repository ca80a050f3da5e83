import type { SystemName } from '../cli-args.js'
import type { RedisTarget } from '../redis-target.js'
import { commandStats, diffStats, redisCpuMicros, type CommandStat } from '../redis-info.js'
import { SYSTEMS } from '../systems/index.js'
import type { BenchPayload } from '../systems/system.js'
import { spawnWorkers } from '../worker-processes.js'
import { countdown, fill, timeoutFor, waitSettled } from './context.js'

export interface DrainOptions {
  target: RedisTarget
  system: SystemName
  n: number
  concurrency: number
  /** worker processes; 0 runs the worker in this process */
  processes: number
  /** default retention (true) or none (false) */
  retain: boolean
  prefetch?: number | undefined
  /** gather INFO commandstats deltas over the timed part */
  commandStats?: boolean
  /** bytes of JSON per payload (0: the small `{i, t}`) */
  payloadBytes?: number
}

export interface DrainResult {
  /** from start() to the last handler call */
  ms: number
  /** from start() until Redis shows nothing waiting or running (all outcomes stored) */
  settledMs: number
  redisCpuUs: number
  nodeCpuUs: number
  commands: Map<string, CommandStat>
}

/**
 * Fills the queue with n jobs (not timed), readies a worker, then times how long it
 * takes to run them all. The clock starts when the worker is told to start consuming.
 */
export async function drain(o: DrainOptions): Promise<DrainResult> {
  const system = SYSTEMS[o.system]
  const producer = await system.producer({ url: o.target.url, retain: o.retain })
  try {
    await fill(producer, o.n, o.payloadBytes ?? 0)
    const count = countdown(o.n, timeoutFor(o.n))
    const consumerOptions = {
      url: o.target.url,
      retain: o.retain,
      concurrency: o.concurrency,
      prefetch: o.prefetch,
    }
    const consumer =
      o.processes > 0
        ? await spawnWorkers({
            ...consumerOptions,
            system: o.system,
            processes: o.processes,
            onCount: count.tick,
          })
        : await system.consumer({ ...consumerOptions, onJob: (_: BenchPayload) => count.tick() })
    try {
      const statsBefore = o.commandStats ? await commandStats(o.target.admin) : undefined
      const redisBefore = await redisCpuMicros(o.target.admin)
      const nodeBefore = process.cpuUsage()
      const started = performance.now()
      consumer.start()
      await count.done
      const ms = performance.now() - started
      await waitSettled(producer, 30_000)
      const settledMs = performance.now() - started
      const node = process.cpuUsage(nodeBefore)
      const redisCpuUs = (await redisCpuMicros(o.target.admin)) - redisBefore
      const commands = statsBefore
        ? diffStats(statsBefore, await commandStats(o.target.admin))
        : new Map<string, CommandStat>()
      const closed = await consumer.close()
      // Child workers report their own CPU at exit; in-process it is this process's.
      const nodeCpuUs = typeof closed === 'number' ? closed : node.user + node.system
      return { ms, settledMs, redisCpuUs, nodeCpuUs, commands }
    } catch (err) {
      await consumer.close()
      throw err
    }
  } finally {
    await producer.close()
  }
}
