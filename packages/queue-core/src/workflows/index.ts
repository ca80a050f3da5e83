export { Flows, type FlowsOptions } from './flows.js'
export { FlowSweeper } from './flow-sweeper.js'
export { FlowEvents, type FlowEvent } from './flow-events.js'
export {
  FlowCreated,
  FlowInput,
  FlowJobInput,
  FlowJobOptions,
  FlowNodeId,
  FlowState,
  FlowView,
  MAX_FLOW_JOBS,
} from '../schemas/flow.js'
export { Batches, type BatchesOptions } from './batches.js'
export { type BatchReport } from './batch-store.js'
export {
  BatchCreated,
  BatchInput,
  BatchJobInput,
  BatchJobs,
  BatchView,
  MAX_BATCH_ADD,
} from '../schemas/batch.js'
