import { Redis, type RedisOptions } from 'ioredis'

/** A Redis URL, ioredis options, or a client the caller owns (and closes). */
export type RedisConnection = string | RedisOptions | Redis

export interface OwnedRedis {
  client: Redis
  /** true when Conveyor created the client and must close it */
  owned: boolean
}

export function connect(connection: RedisConnection, overrides: RedisOptions = {}): OwnedRedis {
  if (connection instanceof Redis) return { client: connection, owned: false }
  const client =
    typeof connection === 'string'
      ? new Redis(connection, overrides)
      : new Redis({ ...connection, ...overrides })
  return { client, owned: true }
}

/** A second connection to the same server, e.g. for blocking reads. */
export function duplicate(connection: RedisConnection, overrides: RedisOptions = {}): Redis {
  if (connection instanceof Redis) return connection.duplicate(overrides)
  return connect(connection, overrides).client
}

export async function closeQuietly(client: Redis): Promise<void> {
  try {
    await client.quit()
  } catch {
    client.disconnect()
  }
}
