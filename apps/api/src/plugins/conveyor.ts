import { Conveyor, type Queue } from '@conveyor/queue-core'
import { jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import fp from 'fastify-plugin'
import { ApiError } from '../api-error.js'

export type AppQueue = Queue<ConveyorJobTypes>

declare module 'fastify' {
  interface FastifyInstance {
    /** the one producer and operator for every job type, on the shared connection */
    conveyor: Conveyor<ConveyorJobTypes>
    /** the registry's queue called `name`; an ApiError 404 for any other name */
    queueNamed: (name: string) => AppQueue
  }
}

export interface ConveyorPluginOptions {
  prefix: string
}

/**
 * Decorates the app with queue-core's Conveyor on the shared Redis client and, in the
 * background, converts jobs a release-0.1 Redis still holds (idempotent; see
 * queue-core's migrate.ts), so ids issued before ids named their queue still resolve.
 */
export const conveyorPlugin = fp<ConveyorPluginOptions>(
  (app, options, done) => {
    const conveyor = new Conveyor({
      connection: app.redis,
      registry: jobRegistry,
      prefix: options.prefix,
    })
    const known = new Set(jobRegistry.queues())
    app.decorate('conveyor', conveyor)
    app.decorate('queueNamed', (name: string) => {
      if (!known.has(name)) throw new ApiError(404, 'queue_not_found', `no queue "${name}"`)
      return conveyor.queue(name)
    })
    // Not awaited: start-up does not wait for a conversion that may take a while.
    app.addHook('onReady', (hookDone) => {
      hookDone()
      conveyor.migrate().then(
        (reports) => {
          for (const r of reports) {
            if (r.converted + r.indexed > 0) app.log.info(r, 'converted release-0.1 jobs')
          }
        },
        (err: unknown) =>
          app.log.warn({ err }, 'release-0.1 jobs not converted yet; retried at the next start'),
      )
    })
    // The connection is the redis plugin's: nothing of Conveyor's own to close.
    app.addHook('onClose', () => conveyor.close())
    done()
  },
  { name: 'conveyor', dependencies: ['redis'] },
)
