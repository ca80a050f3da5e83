import { Group, GroupLimits, GroupSummary, QueueLimits, QueueName } from '@conveyor/queue-core'
import Type from 'typebox'

export { GroupLimits, QueueLimits }

export const GroupParams = Type.Object({ queue: QueueName, group: Group })

export const GroupsQuery = Type.Object(
  {
    cursor: Type.Optional(
      Type.String({
        maxLength: 128,
        description: "the last page's cursor; absent: from the start",
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
)

export const GroupPage = Type.Object({
  groups: Type.Array(GroupSummary),
  cursor: Type.Union([Type.String(), Type.Null()], {
    description: 'pass it as `cursor` for the next page; null after the last one',
  }),
})
