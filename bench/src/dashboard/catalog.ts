import { builtinJobTypes, defineJobTypes, type JobTypeDefinition } from '@conveyor/queue-core'
import Type from 'typebox'

/** Queues the built-in catalog has ("default" and "convert") plus these = 50. */
export const LOAD_QUEUES = 48

/** The name of extra queue k (1-based), which is also the name of its one job type. */
export const loadQueue = (k: number): string => `load-${k}`

export const LoadPayload = Type.Object({ i: Type.Integer() })

/**
 * The job catalog the API runs with in the dashboard scenario: service-kit's (the seed's
 * email, sms and convert) plus 48 job types with a queue each, as an application that
 * declares its own types there would have. The API learns its queues from this catalog
 * only; catalog-hooks.mjs puts this module in the place of service-kit's job-catalog.js.
 */
export const jobRegistry = defineJobTypes({
  ...builtinJobTypes,
  ...(Object.fromEntries(
    Array.from({ length: LOAD_QUEUES }, (_, i) => [
      loadQueue(i + 1),
      { schema: LoadPayload, queue: loadQueue(i + 1) },
    ]),
  ) as Record<string, JobTypeDefinition<typeof LoadPayload>>),
})

export type ConveyorJobTypes = typeof jobRegistry.types
