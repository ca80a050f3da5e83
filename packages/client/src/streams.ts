import { ConveyorApiError } from './errors.js'
import type { Transport } from './http.js'
import { readSse } from './sse.js'
import type { JobEvent, JobView, QueueEventView } from './types.js'

const RECONNECT_MS = 500

function parse(data: string, what: string): unknown {
  try {
    return JSON.parse(data) as unknown
  } catch (cause) {
    throw new ConveyorApiError({
      code: 'invalid_response',
      message: `${what}: an event is not JSON`,
      cause,
    })
  }
}

const FINAL = new Set(['completed', 'dead', 'cancelled'])

/**
 * A job's events, reconnecting when the stream ends before the job is finished (the
 * API restarted, say): the stream starts with the job's state, so nothing is missed.
 */
export async function* followJob(
  http: Transport,
  jobId: string,
  options: { signal?: AbortSignal; timeoutMs?: number },
): AsyncGenerator<JobEvent> {
  const path = `/jobs/${encodeURIComponent(jobId)}/events`
  for (;;) {
    let res: Response
    try {
      res = await http.request<Response>({ method: 'GET', path, stream: true, ...options })
    } catch (err) {
      // The server is away: try again while the caller waits; anything else is final.
      const away =
        err instanceof ConveyorApiError && ['network_error', 'timeout'].includes(err.code)
      if (!away || options.signal?.aborted) throw err
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS))
      continue
    }
    if (!res.body)
      throw new ConveyorApiError({ code: 'invalid_response', message: `${path}: no body` })
    try {
      for await (const message of readSse(res.body)) {
        if (message.event === 'state') {
          const job = parse(message.data, path) as JobView
          yield { event: 'state', job }
          if (FINAL.has(job.state)) return
        } else if (message.event === 'progress') {
          const { progress } = parse(message.data, path) as { progress: unknown }
          yield { event: 'progress', id: jobId, progress }
        } else if (message.event === 'removed') {
          yield { event: 'removed', id: jobId }
          return
        }
      }
    } catch (err) {
      if (options.signal?.aborted) {
        throw new ConveyorApiError({ code: 'aborted', message: `${path}: aborted`, cause: err })
      }
      // The connection broke mid-stream (the API was stopped): reconnect below.
      if (err instanceof ConveyorApiError) throw err
    }
    if (options.signal?.aborted) {
      throw new ConveyorApiError({ code: 'aborted', message: `${path}: aborted` })
    }
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS))
  }
}

/** GET /events as an async iteration; it ends when the server ends the stream. */
export async function* followQueues(
  http: Transport,
  options: { queue?: string; signal?: AbortSignal; timeoutMs?: number; onOpen?: () => void },
): AsyncGenerator<QueueEventView> {
  const { queue, onOpen, ...call } = options
  const res = await http.request<Response>({
    method: 'GET',
    path: '/events',
    query: { queue },
    stream: true,
    ...call,
  })
  if (!res.body)
    throw new ConveyorApiError({ code: 'invalid_response', message: '/events: no body' })
  onOpen?.()
  try {
    for await (const message of readSse(res.body)) {
      if (message.event === 'job') yield parse(message.data, '/events') as QueueEventView
    }
  } catch (err) {
    if (options.signal?.aborted) return
    throw err
  }
}
