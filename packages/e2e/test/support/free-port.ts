export { freePort } from '@conveyor/queue-core/testing'
