import { Redis } from 'ioredis'

// A prefix is matched literally: glob characters in it must not widen the match
// to keys of other tests.
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

/**
 * Deletes every key named `${prefix}:*`. Test-only: SCAN walks the whole keyspace.
 * Returns how many keys were removed.
 */
export async function deletePrefix(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  client.on('error', () => undefined)
  let deleted = 0
  try {
    await client.connect()
    const pattern = `${escapeGlob(prefix)}:*`
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      // UNLINK frees memory in the background, so big test fixtures don't stall the server.
      if (keys.length > 0) deleted += await client.unlink(...keys)
    } while (cursor !== '0')
  } finally {
    client.disconnect()
  }
  return deleted
}
