import { ScheduleStore } from '@conveyor/queue-core'
import { jobRegistry } from '@conveyor/service-kit'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    schedules: ScheduleStore
  }
}

export interface SchedulesPluginOptions {
  prefix: string
}

/** Decorates the app with queue-core's schedule store, on the shared Redis client. */
export const schedulesPlugin = fp<SchedulesPluginOptions>(
  (app, options, done) => {
    const store = new ScheduleStore({
      connection: app.redis,
      registry: jobRegistry,
      prefix: options.prefix,
    })
    app.decorate('schedules', store)
    done()
  },
  { name: 'schedules', dependencies: ['redis'] },
)
