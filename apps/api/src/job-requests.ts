import {
  MAX_SCHEDULE_AHEAD_MS,
  type BulkJob,
  type Conveyor,
  type EnqueueOptions,
  type EnqueueResult,
  type JobTypeName,
} from '@conveyor/queue-core'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { parseJobId } from '@conveyor/queue-core'
import { jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import { fieldError } from './api-error.js'
import type { Accepted, JobRequest } from './schemas/enqueue.js'

type AppBulkJob = BulkJob<ConveyorJobTypes>
type JobType = JobTypeName<ConveyorJobTypes>

/** The answer to an accepted job: where to follow it, and whether it is a new one. */
export function accepted(
  result: EnqueueResult,
  options: EnqueueOptions = {},
  now = Date.now(),
): Accepted {
  const { id, dedup } = result
  // A repeat of an Idempotency-Key answers as its first request did (the
  // idempotent-replayed header tells them apart), and that one created its job: the key
  // is stored only with a job it created. So only a dedup match reads created: false.
  const created = result.created || dedup === undefined
  const runAt = options.runAt instanceof Date ? options.runAt.getTime() : options.runAt
  const later =
    (options.delayMs ?? 0) > 0 || (runAt ?? 0) > now || options.dedup?.mode === 'debounce'
  const answer: Accepted = {
    id,
    status: later ? 'scheduled' : 'queued',
    statusUrl: `/jobs/${id}`,
    created,
  }
  if (dedup !== undefined) answer.dedup = dedup
  return answer
}

/**
 * Turns one job request into queue-core's bulk job shape, checking its type and dates
 * (errors under `at`). The payload is checked once, by queue-core as it prepares the
 * job, against the type's schema.
 */
export function toBulkJob(request: JobRequest, at = ''): AppBulkJob {
  jobRegistry.assertType(request.type, at)
  const type: JobType = request.type
  const payload = request.payload
  const options: EnqueueOptions = {}
  if (request.delayMs !== undefined) options.delayMs = request.delayMs
  if (request.priority !== undefined) options.priority = request.priority
  if (request.maxAttempts !== undefined) options.maxAttempts = request.maxAttempts
  if (request.group !== undefined) options.group = request.group
  if (request.dedup !== undefined) options.dedup = request.dedup
  if (request.runAt !== undefined) {
    const ms = typeof request.runAt === 'number' ? request.runAt : Date.parse(request.runAt)
    if (!Number.isFinite(ms) || ms < 0) throw fieldError(`${at}/runAt`, 'is not a valid date')
    // Checked here too (queue-core checks its own option) to name the request's field.
    if (ms - Date.now() > MAX_SCHEDULE_AHEAD_MS) {
      throw fieldError(`${at}/runAt`, 'must be at most one year ahead (as delayMs)')
    }
    options.runAt = ms
  }
  // No options at all is the common case, and spares queue-core checking an empty object.
  const given = Object.keys(options).length > 0
  return { type, payload, options: given ? options : undefined } as AppBulkJob
}

/**
 * Enqueues jobs, each on its type's queue, and answers in the order they were given.
 * Every job is checked, on every queue, before any is enqueued, so one bad job enqueues
 * none; errors point at `${at}/<index>`.
 */
export async function enqueueAll(
  conveyor: Conveyor<ConveyorJobTypes>,
  jobs: AppBulkJob[],
  at = '',
): Promise<{ accepted: Accepted[]; results: EnqueueResult[] }> {
  const now = Date.now()
  const results = await conveyor.enqueueBulk(jobs, at)
  return { accepted: results.map((r, i) => accepted(r, jobs[i]?.options, now)), results }
}

/**
 * Marks the answer to a keyed request whose jobs were all there already by its key (a
 * retry; a dedup match is not one): `idempotent-replayed: true`. The answer itself is the same as the first one's.
 */
export function replay(reply: FastifyReply, results: readonly EnqueueResult[]): FastifyReply {
  const repeat = (r: EnqueueResult) => !r.created && r.dedup === undefined
  if (reply.request.idempotency && results.length > 0 && results.every(repeat)) {
    reply.header('idempotent-replayed', 'true')
  }
  return reply
}

/** Counts the jobs answered with an existing one by their dedup key, by queue and mode. */
export function countDeduplicated(
  app: FastifyInstance,
  results: readonly EnqueueResult[],
  requests: readonly JobRequest[],
): void {
  results.forEach((r, i) => {
    const mode = requests[i]?.dedup?.mode
    if (r.dedup && mode) app.countDeduplicated(parseJobId(r.id)?.queue ?? '', mode)
  })
}
