import { ConveyorError, Queue, type JobRecord, type JobTypeName } from '@conveyor/queue-core'
import { jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import type { Cluster, Redis } from 'ioredis'
import { ApiError } from './api-error.js'

export type AppQueue = Queue<ConveyorJobTypes>
export type JobType = JobTypeName<ConveyorJobTypes>

export interface FoundJob {
  queue: AppQueue
  job: JobRecord
}

/** One queue-core Queue per queue the job registry routes to, sharing one connection. */
export class QueueSet {
  private readonly byName = new Map<string, AppQueue>()

  constructor(options: { redis: Redis | Cluster; prefix: string }) {
    for (const name of jobRegistry.queues()) {
      const queue = new Queue({
        connection: options.redis,
        registry: jobRegistry,
        name,
        prefix: options.prefix,
      })
      this.byName.set(name, queue)
    }
  }

  names(): string[] {
    return [...this.byName.keys()]
  }

  all(): AppQueue[] {
    return [...this.byName.values()]
  }

  /** The queue called `name`; an ApiError 404 when there is none. */
  get(name: string): AppQueue {
    const queue = this.byName.get(name)
    if (!queue) throw new ApiError(404, 'queue_not_found', `no queue "${name}"`)
    return queue
  }

  /** The queue a job type's jobs go to (the type must be registered). */
  forType(type: JobType): AppQueue {
    return this.get(jobRegistry.queueOf(type))
  }

  /** Looks the id up in every queue at once; null when no queue has it. */
  async find(id: string): Promise<FoundJob | null> {
    const queues = this.all()
    const jobs = await Promise.all(queues.map((q) => q.getJob(id)))
    for (const [i, job] of jobs.entries()) {
      const queue = queues[i]
      if (job && queue) return { queue, job }
    }
    return null
  }

  /** Like find, but a missing job is ConveyorError('job_not_found'). */
  async require(id: string): Promise<FoundJob> {
    const found = await this.find(id)
    if (!found) throw new ConveyorError('job_not_found', `no job "${id}"`)
    return found
  }

  async close(): Promise<void> {
    // The queues share a connection the redis plugin owns; this closes nothing of theirs.
    await Promise.all(this.all().map((q) => q.close()))
  }
}
