import type { TestProject } from 'vitest/node'
import { acquireTestRedis } from '../src/testing/index.js'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

// One Redis for the whole run; tests isolate themselves with uniquePrefix().
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await acquireTestRedis()
  console.log(`[queue-core tests] Redis from ${redis.source}: ${redis.url}`)
  project.provide('redisUrl', redis.url)
  return () => redis.stop()
}
