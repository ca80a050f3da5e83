import { FlowView, type FlowInput } from '@conveyor/queue-core'
import Type, { type Static } from 'typebox'
import { IsoTime } from './jobs.js'

export { FlowCreated, FlowInput } from '@conveyor/queue-core'

export const FlowIdParams = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9]{1,40}$', description: 'the flow id POST /flows gave' }),
})

/** A flow as the API shows it: times as ISO 8601. */
export const FlowViewApi = Type.Intersect([
  Type.Omit(FlowView, ['createdAt', 'finishedAt']),
  Type.Object({ createdAt: IsoTime, finishedAt: Type.Optional(IsoTime) }),
])
export type FlowViewApi = Static<typeof FlowViewApi>

/** The request body of POST /flows, for the typed client. */
export type FlowRequest = Static<typeof FlowInput>
