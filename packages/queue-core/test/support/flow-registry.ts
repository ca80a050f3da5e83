import Type from 'typebox'
import { defineJobTypes } from '../../src/index.js'

/** Job types on two queues, so that a flow spans queues (importable outside vitest too). */
export const flowRegistry = defineJobTypes({
  step: { schema: Type.Object({ label: Type.String() }), queue: 'alpha' },
  other: { schema: Type.Object({ label: Type.String() }), queue: 'beta' },
})
export type FlowTypes = typeof flowRegistry.types
