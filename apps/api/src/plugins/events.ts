import { QueueEvents } from '@conveyor/queue-core'
import fp from 'fastify-plugin'
import { QueueFollower } from '../queue-follower.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** one events follower per queue, shared by every server-sent-events client */
    followers: Map<string, QueueFollower>
  }
}

export interface EventsPluginOptions {
  prefix: string
}

/**
 * One QueueEvents per queue, each on its own connection (a blocking read ties it up),
 * opened on the first subscriber. Streams end before the server closes, so that a
 * client watching a job does not hold the shutdown up.
 */
export const eventsPlugin = fp<EventsPluginOptions>(
  (app, options, done) => {
    const followers = new Map<string, QueueFollower>()
    for (const { name } of app.conveyor.queues()) {
      const connection = app.redisConnect({
        lazyConnect: true,
        maxRetriesPerRequest: null,
        connectTimeout: 1000,
        // Longer than a blocking read, so that only a dead connection times out.
        commandTimeout: 3000,
      })
      connection.on('error', () => undefined)
      const events = new QueueEvents({ connection, queue: name, prefix: options.prefix })
      followers.set(name, new QueueFollower(events, app.log))
    }
    app.decorate('followers', followers)
    app.addHook('preClose', async () => {
      await Promise.all([...followers.values()].map((f) => f.close()))
    })
    done()
  },
  { name: 'events', dependencies: ['redis', 'conveyor'] },
)
