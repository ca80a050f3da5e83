import type { Redis } from 'ioredis'

/** Every key under `${prefix}:`, found with SCAN (the prefixes tests use have no glob characters). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  return keys.sort()
}

/** MEMORY USAGE of each key, counting every element (SAMPLES 0), in bytes. */
export async function memoryByKey(
  redis: Redis,
  keys: readonly string[],
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>()
  for (const key of keys) {
    const bytes = (await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) as number | null
    sizes.set(key, bytes ?? 0)
  }
  return sizes
}

export function sum(values: Iterable<number>): number {
  let total = 0
  for (const v of values) total += v
  return total
}
