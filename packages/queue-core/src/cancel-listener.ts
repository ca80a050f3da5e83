import { duplicate, type RedisClient, type RedisConnection } from './connection.js'

/**
 * Follows a queue's cancel channel (lua/cancel.lua publishes the id of a running job
 * asked to stop), on a connection of its own: a subscribed connection takes no other
 * command. Made only when a worker runs, and costs the jobs nothing: a message comes
 * only when a running job is cancelled. A message missed while the connection was
 * down is made up for by the worker's heartbeat, which reads `cancels`.
 */
export class CancelListener {
  private readonly redis: RedisClient

  constructor(
    connection: RedisConnection,
    private readonly channel: string,
    onCancel: (localId: string) => void,
    onError: (err: unknown) => void,
  ) {
    this.redis = duplicate(connection, { maxRetriesPerRequest: null })
    this.redis.on('error', onError)
    this.redis.on('message', (channel: string, id: string) => {
      if (channel === this.channel) onCancel(id)
    })
  }

  start(): void {
    // ioredis subscribes again by itself after a reconnect.
    this.redis.subscribe(this.channel).catch(() => undefined)
  }

  close(): void {
    this.redis.disconnect()
  }
}
