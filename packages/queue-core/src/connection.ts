import { Cluster, Redis, type RedisOptions } from 'ioredis'

/** A client of a single Redis or of a Redis Cluster: the calls Conveyor makes exist on both. */
export type RedisClient = Redis | Cluster

/**
 * A Redis URL, ioredis options, or a client the caller owns (and closes): a `Redis`,
 * or a `Cluster` (every key of a queue shares one hash tag, so each script runs on
 * the one node that owns the queue's slot).
 */
export type RedisConnection = string | RedisOptions | RedisClient

export interface OwnedRedis {
  client: RedisClient
  /** true when Conveyor created the client and must close it */
  owned: boolean
}

function isClient(connection: RedisConnection): connection is RedisClient {
  return connection instanceof Redis || connection instanceof Cluster
}

export function connect(connection: RedisConnection, overrides: RedisOptions = {}): OwnedRedis {
  if (isClient(connection)) return { client: connection, owned: false }
  const client =
    typeof connection === 'string'
      ? new Redis(connection, overrides)
      : new Redis({ ...connection, ...overrides })
  return { client, owned: true }
}

/** A second connection to the same server or cluster, e.g. for blocking reads. */
export function duplicate(connection: RedisConnection, overrides: RedisOptions = {}): RedisClient {
  if (connection instanceof Cluster) {
    return connection.duplicate(undefined, {
      redisOptions: { ...connection.options.redisOptions, ...overrides },
    })
  }
  if (connection instanceof Redis) return connection.duplicate(overrides)
  return connect(connection, overrides).client
}

export async function closeQuietly(client: RedisClient): Promise<void> {
  try {
    await client.quit()
  } catch {
    client.disconnect()
  }
}
