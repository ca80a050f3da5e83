import type { JobContext } from '@conveyor/queue-core'

/** A JobContext built by hand, for handler tests where a Worker adds nothing; records progress. */
export function handJob<P>(
  payload: P,
  options: { id?: string; type?: string; queue?: string } = {},
) {
  const controller = new AbortController()
  const progress: unknown[] = []
  const job: JobContext<P> = {
    id: options.id ?? `job-${Math.random().toString(36).slice(2, 10)}`,
    queue: options.queue ?? 'default',
    type: options.type ?? 'test',
    payload,
    attempt: 1,
    maxAttempts: 4,
    createdAt: Date.now(),
    traceparent: undefined,
    group: undefined,
    leasedAt: Date.now(),
    signal: controller.signal,
    progress: (value) => {
      progress.push(value)
      return Promise.resolve()
    },
    parents: () => Promise.resolve({}),
    batch: () => Promise.resolve(null),
  }
  return { job, controller, progress }
}
