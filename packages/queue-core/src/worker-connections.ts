import { Redis } from 'ioredis'
import { bounded } from './bounded-wait.js'
import { connect, duplicate, type RedisClient, type RedisConnection } from './connection.js'
import type { QueueKeys } from './keys.js'
import { QueueScripts } from './scripts.js'

/**
 * A worker's two connections: one for its scripts, one it blocks on while waiting for
 * work (with the next reserve pipelined behind the wait), and how to end that wait.
 */
export class WorkerConnections {
  readonly redis: RedisClient
  /** true when the worker made `redis` and must close it */
  readonly owned: boolean
  readonly scripts: QueueScripts
  readonly blocking: RedisClient
  /** the same scripts on the blocking connection, for waitThenReserve */
  readonly waiting: QueueScripts
  /** CLIENT ID of the blocking connection, to end its wait (single Redis only) */
  private blockingId: number | undefined

  constructor(options: {
    connection: RedisConnection
    keys: QueueKeys
    eventsMaxLen: number
    onError: (err: unknown) => void
  }) {
    // Not auto-pipelined: a call is written to the socket when it is made, which is
    // what lets a finished job's slot go on before Redis replies (QueueScripts.onWire);
    // the batcher already folds a tick's outcomes into one call.
    const { client, owned } = connect(options.connection, {
      enableAutoPipelining: false,
      maxRetriesPerRequest: null,
    })
    this.redis = client
    this.owned = owned
    this.blocking = duplicate(options.connection, {
      maxRetriesPerRequest: null,
      enableAutoPipelining: false,
    })
    const keys = options.keys
    this.scripts = new QueueScripts(client, keys, options.eventsMaxLen)
    this.waiting = new QueueScripts(this.blocking, keys, options.eventsMaxLen)
    // The blocking connection is the worker's own and closes with it: no need to stop.
    this.waiting.runner.preload(['reserve'])
    if (this.blocking instanceof Redis) {
      const blocking = this.blocking
      blocking.on('close', () => (this.blockingId = undefined))
      blocking.on('ready', () => {
        blocking.client('ID').then(
          (id) => (this.blockingId = id),
          () => (this.blockingId = undefined),
        )
      })
    }
    // Connection errors (an outage, a restart) are reported; ioredis reconnects by
    // itself and the worker carries on.
    this.blocking.on('error', options.onError)
    if (owned) client.on('error', options.onError)
  }

  /**
   * Ends the fetch loop's blocking wait. CLIENT UNBLOCK lets the reserve pipelined
   * behind the wait run and answer, so jobs it leases come back to the worker and are
   * given back at once; `loopDone` settles when the loop has seen that answer. Where
   * that is not possible (a cluster, Redis away) the connection is cut, and jobs a
   * reserve leased unseen wait for their lease to expire. With Redis away the loop may
   * also hang on a reserve that ioredis holds for resending, hence every wait here is
   * bounded.
   */
  async endWait(budgetMs: number, loopDone: Promise<void>): Promise<void> {
    const id = this.blockingId
    const limit = Math.min(budgetMs, 1_000)
    if (id !== undefined && this.redis instanceof Redis && this.redis.status === 'ready') {
      await bounded(
        this.redis.client('UNBLOCK', id).catch(() => 0),
        limit,
      )
      await bounded(loopDone, limit)
    }
    this.blocking.disconnect()
  }
}
