import type { SystemName } from '../cli-args.js'
import { beeQueue } from './bee-queue.js'
import { bullmq } from './bullmq.js'
import { conveyor } from './conveyor.js'
import { naive } from './naive.js'
import type { BenchSystem } from './system.js'

export const SYSTEMS: Record<SystemName, BenchSystem> = {
  conveyor,
  bullmq,
  'bee-queue': beeQueue,
  naive,
}
