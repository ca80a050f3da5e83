import { afterAll, afterEach, beforeAll } from 'vitest'
import { Conveyor, Worker, type HandlerMap } from '../../src/index.js'
import {
  deletePrefix,
  startRedisServer,
  uniquePrefix,
  type RedisServerHandle,
} from '../../src/testing/index.js'

import { flowRegistry, type FlowTypes } from './flow-registry.js'

export { flowRegistry, type FlowTypes } from './flow-registry.js'

let server: RedisServerHandle | undefined
const cleanups: (() => Promise<void>)[] = []

/** A private redis-server for the test file, and a Conveyor and workers per test. */
export function useFlowRedis(): void {
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })
  afterAll(async () => {
    await server?.stop()
  })
}

export interface FlowHarness {
  url: string
  prefix: string
  conveyor: Conveyor<FlowTypes>
  worker(
    queue: 'alpha' | 'beta',
    handlers: HandlerMap<FlowTypes>,
    concurrency?: number,
  ): Worker<FlowTypes>
}

export function flowHarness(): FlowHarness {
  const url = server?.url ?? ''
  const prefix = uniquePrefix('fl')
  const conveyor = new Conveyor({ connection: url, registry: flowRegistry, prefix })
  cleanups.push(async () => {
    await conveyor.close()
    await deletePrefix(url, prefix)
  })
  return {
    url,
    prefix,
    conveyor,
    worker(queue, handlers, concurrency = 8) {
      const w = new Worker({
        connection: url,
        registry: flowRegistry,
        prefix,
        queue,
        handlers,
        concurrency,
      })
      w.on('error', () => undefined)
      cleanups.push(() => w.close({ timeoutMs: 2_000 }))
      return w
    },
  }
}
