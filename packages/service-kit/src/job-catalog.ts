import { builtinJobTypes, defineJobTypes } from '@conveyor/queue-core'

/**
 * The job types the three services share. Add your own here, with a schema (and a
 * queue if it should not share "default"), then a handler in apps/worker/src/handlers:
 * the API accepts it on POST /jobs, the worker runs it, the scheduler can fire it.
 */
export const jobRegistry = defineJobTypes({
  ...builtinJobTypes,
})

export type ConveyorJobTypes = typeof jobRegistry.types
