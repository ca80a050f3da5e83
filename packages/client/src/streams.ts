import { ConveyorApiError } from './errors.js'
import type { Transport } from './http.js'
import { readSse } from './sse.js'
import type { FlowEvent, JobEvent, JobView, QueueEventView } from './types.js'

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

/** A flow in one of these states has ended: every job of it finished. */
export const FLOW_ENDED: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled'])

/**
 * GET /flows/:id/events as an async iteration, from the flow's start: it ends after the
 * `flow` event that says the flow ended, or when the server ends the stream.
 */
export async function* followFlow(
  http: Transport,
  flowId: string,
  options: { signal?: AbortSignal; timeoutMs?: number },
): AsyncGenerator<FlowEvent> {
  const path = `/flows/${encodeURIComponent(flowId)}/events`
  const res = await http.request<Response>({ method: 'GET', path, stream: true, ...options })
  if (!res.body)
    throw new ConveyorApiError({ code: 'invalid_response', message: `${path}: no body` })
  try {
    for await (const message of readSse(res.body)) {
      if (message.event !== 'job' && message.event !== 'flow') continue
      const event = { event: message.event, ...(parse(message.data, path) as object) } as FlowEvent
      yield event
      if (event.event === 'flow' && FLOW_ENDED.has(event.state)) return
    }
  } catch (err) {
    if (options.signal?.aborted) {
      throw new ConveyorApiError({ code: 'aborted', message: `${path}: aborted`, cause: err })
    }
    if (err instanceof ConveyorApiError) throw err
    throw new ConveyorApiError({
      code: 'network_error',
      message: `${path}: the stream broke off`,
      cause: err,
    })
  }
}
