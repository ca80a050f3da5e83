import { toJobId } from './job-id.js'
import { execPipeline } from './redis-errors.js'
import { DeadLetterGrouper, type DeadLetterGroups } from './dead-letter-groups.js'
import { JobBrowser, type BrowseOptions, type BrowsePage } from './job-browser.js'
import { readHistory, type HistoryWindow } from './metrics-history.js'
import type { Queue } from './queue.js'
import type { JobTypeMap } from './registry.js'
import { readWorkers, type WorkerInfo, type WorkerStatus } from './worker-registry.js'

export type RegisteredWorker = WorkerInfo & { status: WorkerStatus; heartbeatAgeMs: number }

/**
 * What an operator's screen reads of a queue beyond its counts: pages by cursor,
 * filtered searches, dead letters grouped by error, its workers and its history.
 */
export class QueueInspector<M extends JobTypeMap = JobTypeMap> {
  private readonly browser: JobBrowser
  private readonly grouper: DeadLetterGrouper

  constructor(private readonly queue: Queue<M>) {
    this.browser = new JobBrowser(queue.name, queue.redis, queue.keys, (ids) =>
      queue.summaries(ids),
    )
    this.grouper = new DeadLetterGrouper(queue.name, queue.redis, queue.keys)
  }

  browse(options: BrowseOptions): Promise<BrowsePage> {
    return this.browser.browse(options)
  }

  deadLetterGroups(): Promise<DeadLetterGroups> {
    return this.grouper.groups()
  }

  /** Requeues or deletes every dead job of one group; returns how many. */
  async actOnDeadGroup(fingerprint: string, action: 'retry' | 'remove'): Promise<number> {
    const ids = await this.grouper.members(fingerprint)
    const jobIds = ids.map((id) => toJobId(this.queue.name, id))
    return action === 'retry'
      ? this.queue.retryMany(jobIds)
      : this.queue.applyEach('remove', jobIds)
  }

  /**
   * Makes a scheduled or retrying job due at once: its score in the delayed or retry set
   * becomes 0, and the next reserve promotes it. Returns false when it is in neither.
   */
  async runNow(id: string): Promise<boolean> {
    const local = this.queue.localId(id)
    const k = this.queue.keys
    const changed = (await execPipeline(
      this.queue.redis
        .pipeline()
        .zadd(k.delayed, 'XX', 'CH', 0, local)
        .zadd(k.retry, 'XX', 'CH', 0, local),
    )) as number[]
    return changed.some((n) => n > 0)
  }

  workers(now?: number): Promise<RegisteredWorker[]> {
    return readWorkers(this.queue.redis, this.queue.keys, now)
  }

  /** Outcome counts and wait and run time percentiles per minute or hour, and their sum. */
  history(range: { resolution: 'm' | 'h'; fromMs: number; toMs: number }): Promise<HistoryWindow> {
    return readHistory(this.queue.redis, this.queue.keys, range)
  }
}
