import Type, { type Static } from 'typebox'
import { QueueParams } from './common.js'

export const QueueEventsQuery = Type.Object({
  queue: Type.Optional(QueueParams.properties.queue),
})

/** One `job` event of GET /events. */
export const QueueEventView = Type.Object({
  queue: Type.String(),
  event: Type.String({ description: 'queued, active, completed, retrying, dead, progress, …' }),
  ids: Type.Array(Type.String()),
  progress: Type.Optional(Type.Unknown()),
  at: Type.String({ format: 'date-time', description: 'when Redis recorded it' }),
})
export type QueueEventView = Static<typeof QueueEventView>
