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
