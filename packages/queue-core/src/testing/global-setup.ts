import { acquireTestRedis } from './test-redis.js'

/** What vitest hands a globalSetup function: enough to share values with the tests. */
export interface ProvidingProject {
  provide(key: 'redisUrl', value: string): void
}

/**
 * A vitest globalSetup body: one Redis for the whole run (REDIS_URL, else a private
 * redis-server, else a container), offered to tests as inject('redisUrl'). Tests
 * isolate themselves with uniquePrefix().
 */
export async function provideTestRedis(
  project: ProvidingProject,
  label: string,
): Promise<() => Promise<void>> {
  const redis = await acquireTestRedis()
  console.log(`[${label} tests] Redis from ${redis.source}: ${redis.url}`)
  project.provide('redisUrl', redis.url)
  return () => redis.stop()
}
