import type { JobTypeMap } from '@conveyor/queue-core'
import { segment, type Transport } from './http.js'
import type {
  BatchCreated,
  BatchJobInput,
  BatchJobsAdded,
  BatchRequest,
  BatchView,
  CallOptions,
  CreateOptions,
} from './types.js'

/**
 * Batches (README "Workflows"): jobs added until the batch is closed, with callbacks
 * (`onSuccess`, `onComplete`) that fire once every job finished. Named as queue-core's
 * `Conveyor.batches` names them. Creating and adding send an Idempotency-Key (yours, or
 * one per call) that every try reuses: a try after a lost answer gets the first answer,
 * and adding again after a failure part way adds each job once.
 */
export class BatchesApi<M extends JobTypeMap> {
  constructor(private readonly http: Transport) {}

  /** Opens a batch with its callbacks and maybe its first jobs (POST /batches). */
  create(batch: BatchRequest<M> = {}, options: CreateOptions = {}): Promise<BatchCreated> {
    return this.http.request<BatchCreated>({
      method: 'POST',
      path: '/batches',
      body: batch,
      ...options,
    })
  }

  /**
   * Adds jobs to an open batch (POST /batches/:id/jobs); resolves with their ids, in
   * order. `invalid_state` (409) once the batch is closed.
   */
  async add(
    batchId: string,
    jobs: { jobs: BatchJobInput<M>[] },
    options: CreateOptions = {},
  ): Promise<string[]> {
    const answer = await this.http.request<BatchJobsAdded>({
      method: 'POST',
      path: `/batches/${segment(batchId)}/jobs`,
      body: jobs,
      ...options,
    })
    return answer.jobs
  }

  /** Closes a batch: no more jobs; its callbacks fire once every job finished. */
  close(batchId: string, options: CallOptions = {}): Promise<BatchView> {
    return this.http.request<BatchView>({
      method: 'POST',
      path: `/batches/${segment(batchId)}/close`,
      ...options,
    })
  }

  /** A batch's state, counts by outcome, failed jobs and fired callbacks. */
  get(batchId: string, options: CallOptions = {}): Promise<BatchView> {
    return this.http.request<BatchView>({
      method: 'GET',
      path: `/batches/${segment(batchId)}`,
      ...options,
    })
  }
}
