import type { SystemName } from '../cli-args.js'

/** Every system gets the same small job: an index and, in the latency scenario, a send time. */
export interface BenchPayload {
  i: number
  /** epoch ms (fractional) when the producer sent the job; 0 when unused */
  t: number
  /** padding that brings the payload's JSON to the size a sweep measures */
  pad?: string
}

export interface SystemOptions {
  url: string
  /**
   * false: no record of completed jobs is kept (the equivalent setting used for the
   * throughput scenarios); true: each system's default retention.
   */
  retain: boolean
}

export interface Producer {
  /** One call of the system's bulk API (a pipeline for the naive queue). */
  addBulk(payloads: readonly BenchPayload[]): Promise<void>
  /** One job, one call, as a web request handler would enqueue it. */
  add(payload: BenchPayload): Promise<void>
  /** Jobs not finished yet (waiting or running), read from Redis. */
  pending(): Promise<number>
  close(): Promise<void>
}

export interface ConsumerOptions extends SystemOptions {
  concurrency: number
  /** called at the start of each job's handler */
  onJob: (payload: BenchPayload) => void
  /** Conveyor only: the Worker's prefetch (undefined = its default) */
  prefetch?: number | undefined
}

/** A worker that is connected and ready but takes no job until start(). */
export interface Consumer {
  start(): void
  close(): Promise<void>
}

export interface BenchSystem {
  name: SystemName
  producer(options: SystemOptions): Promise<Producer>
  consumer(options: ConsumerOptions): Promise<Consumer>
}
