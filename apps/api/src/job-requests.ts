import type { BulkJob, EnqueueOptions } from '@conveyor/queue-core'
import { jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import { fieldError } from './api-error.js'
import type { JobType, QueueSet } from './queue-set.js'
import type { Accepted, JobRequest } from './schemas/enqueue.js'

type AppBulkJob = BulkJob<ConveyorJobTypes>

/** The answer to an accepted job: where to follow it. */
export function accepted(id: string, options: EnqueueOptions = {}, now = Date.now()): Accepted {
  const runAt = options.runAt instanceof Date ? options.runAt.getTime() : options.runAt
  const later = (options.delay ?? 0) > 0 || (runAt ?? 0) > now
  return { id, status: later ? 'scheduled' : 'queued', statusUrl: `/jobs/${id}` }
}

/**
 * Checks one job request (its payload against the type's schema, errors under `at`)
 * and turns it into queue-core's bulk job shape.
 */
export function toBulkJob(request: JobRequest, at = ''): AppBulkJob {
  const type = request.type as JobType
  const payload = jobRegistry.parsePayload(type, request.payload, at)
  const options: EnqueueOptions = {}
  if (request.delay !== undefined) options.delay = request.delay
  if (request.priority !== undefined) options.priority = request.priority
  if (request.maxAttempts !== undefined) options.maxAttempts = request.maxAttempts
  if (request.runAt !== undefined) {
    const ms = typeof request.runAt === 'number' ? request.runAt : Date.parse(request.runAt)
    if (!Number.isFinite(ms) || ms < 0) throw fieldError(`${at}/runAt`, 'is not a valid date')
    options.runAt = ms
  }
  return { type, payload, options } as AppBulkJob
}

/**
 * Enqueues checked jobs, each on its type's queue (one bulk call per queue), and
 * answers in the order they were given.
 */
export async function enqueueAll(queues: QueueSet, jobs: AppBulkJob[]): Promise<Accepted[]> {
  const groups = new Map<string, { indices: number[]; jobs: AppBulkJob[] }>()
  for (const [i, job] of jobs.entries()) {
    const name = jobRegistry.queueOf(job.type)
    let group = groups.get(name)
    if (!group) groups.set(name, (group = { indices: [], jobs: [] }))
    group.indices.push(i)
    group.jobs.push(job)
  }
  const out = new Array<Accepted>(jobs.length)
  const now = Date.now()
  await Promise.all(
    [...groups].map(async ([name, group]) => {
      const results = await queues.get(name).enqueueBulk(group.jobs)
      for (const [k, result] of results.entries()) {
        const index = group.indices[k] ?? 0
        out[index] = accepted(result.id, jobs[index]?.options, now)
      }
    }),
  )
  return out
}
