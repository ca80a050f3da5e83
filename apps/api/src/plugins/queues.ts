import fp from 'fastify-plugin'
import { QueueSet } from '../queue-set.js'

declare module 'fastify' {
  interface FastifyInstance {
    queues: QueueSet
  }
}

export interface QueuesPluginOptions {
  prefix: string
}

/** Decorates the app with the queues of the job registry, on the shared Redis client. */
export const queuesPlugin = fp<QueuesPluginOptions>(
  (app, options, done) => {
    const queues = new QueueSet({ redis: app.redis, prefix: options.prefix })
    app.decorate('queues', queues)
    app.addHook('onClose', () => queues.close())
    done()
  },
  { name: 'queues', dependencies: ['redis'] },
)
