import { QueueInspector } from '@conveyor/queue-core'
import type { ConveyorJobTypes } from '@conveyor/service-kit'
import type { AppQueue } from './plugins/conveyor.js'

const inspectors = new WeakMap<AppQueue, QueueInspector<ConveyorJobTypes>>()

/** The inspector of a queue, made once per queue handle. */
export function inspectorOf(queue: AppQueue): QueueInspector<ConveyorJobTypes> {
  let inspector = inspectors.get(queue)
  if (!inspector) {
    inspector = new QueueInspector(queue)
    inspectors.set(queue, inspector)
  }
  return inspector
}
