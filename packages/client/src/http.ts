import { randomUUID } from 'node:crypto'
import { ConveyorApiError } from './errors.js'
import type { ErrorBody } from './types.js'

export interface TransportOptions {
  /** the API's base URL, e.g. http://localhost:8080 */
  url: string
  /** sent as `Authorization: Bearer <key>` */
  apiKey?: string | undefined
  /** ms per HTTP request; default 10,000 */
  timeoutMs?: number
  /** further tries after a failure that may pass (no answer, 429, 502–504); default 2 */
  retries?: number
  /** first wait between tries, doubled each time (with jitter); default 250 ms */
  retryDelayMs?: number
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  query?: Record<string, string | number | undefined>
  body?: unknown
  /** for a POST: reused by every try, so a retried request takes effect once */
  idempotencyKey?: string
  /**
   * false for a POST the server does not make idempotent (it ignores Idempotency-Key):
   * no key is sent, and the request is tried again only after a failure that says it
   * was not acted on. Default true.
   */
  idempotent?: boolean
  timeoutMs?: number | undefined
  signal?: AbortSignal | undefined
  /** `text/event-stream`: the response is handed back unread */
  stream?: boolean
}

// Statuses after which the same request may pass: the server was overloaded, a proxy
// in front of it failed, or a request with the same key was still running.
const RETRY_STATUSES = new Set([429, 502, 503, 504])
// A 409 that says the first try with this key still runs: the next try gets its answer.
const RETRY_CODES = new Set(['idempotency_key_in_use'])
// Failures after which a request was surely not acted on, so even one that is not
// idempotent may be sent again: refused by the rate limit before any work, or no
// connection was ever made. (Not `redis_unavailable`: a route of several writes, such
// as adding to a batch, may have made some before Redis went away.)
const NOT_ACTED_CODES = new Set(['rate_limited'])
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])
const MAX_RETRY_AFTER_MS = 30_000

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })

function retryAfterMs(res: Response): number | undefined {
  const value = res.headers.get('retry-after')
  if (value === null) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - Date.now()), MAX_RETRY_AFTER_MS)
}

async function errorFromResponse(res: Response, what: string): Promise<ConveyorApiError> {
  let body: Partial<ErrorBody> = {}
  try {
    body = (await res.json()) as Partial<ErrorBody>
  } catch {
    // not JSON: a proxy's page, say
  }
  const code = typeof body.error === 'string' ? body.error : `http_${res.status}`
  const detail = body.details?.map((d) => `${d.path} ${d.message}`).join('; ')
  const text = detail || body.message || res.statusText
  return new ConveyorApiError({
    code,
    status: res.status,
    message: `${what}: ${res.status} ${code}${text ? `: ${text}` : ''}`,
    details: body.details,
    requestId: body.requestId,
  })
}

/** A value as one segment of a path (a job id holds a colon, a group may hold a slash). */
export const segment = (value: string): string => encodeURIComponent(value)

/** Whether the request surely had no effect, so sending it again cannot act twice. */
function notActedOn(err: ConveyorApiError): boolean {
  if (err.status !== undefined) return NOT_ACTED_CODES.has(err.code)
  return err.code === 'network_error' && NOT_CONNECTED.has(causeCode(err.cause) ?? '')
}

/** The HTTP side of the client: URLs, auth, timeouts, retries and error decoding. */
export class Transport {
  readonly base: string
  private readonly apiKey: string | undefined
  private readonly timeoutMs: number
  private readonly retries: number
  private readonly retryDelayMs: number

  constructor(options: TransportOptions) {
    this.base = options.url.replace(/\/+$/, '')
    this.apiKey = options.apiKey
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.retries = options.retries ?? 2
    this.retryDelayMs = options.retryDelayMs ?? 250
  }

  url(path: string, query: RequestOptions['query'] = {}): string {
    const url = new URL(this.base + path)
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value))
    }
    return url.toString()
  }

  /** Sends a request, retrying what may be retried; resolves with the parsed answer. */
  async request<T>(options: RequestOptions): Promise<T> {
    const res = await this.send(options)
    if (options.stream) return res as T
    if (res.status === 204) return undefined as T
    try {
      return (await res.json()) as T
    } catch (cause) {
      // The deadline ran out while the body was arriving.
      if ((cause as Error | undefined)?.name === 'AbortError') {
        throw new ConveyorApiError({
          code: options.signal?.aborted ? 'aborted' : 'timeout',
          status: res.status,
          message: `${options.method} ${options.path}: the answer did not arrive in time`,
          cause,
        })
      }
      throw new ConveyorApiError({
        code: 'invalid_response',
        status: res.status,
        message: `${options.method} ${options.path}: the answer is not JSON`,
        cause,
      })
    }
  }

  private async send(options: RequestOptions): Promise<Response> {
    const { method, path } = options
    const what = `${method} ${path}`
    // A POST carries an Idempotency-Key (the enqueue, flow and batch routes honour it;
    // the operator actions are idempotent by nature), so a retry after a lost answer replays the
    // first answer instead of acting twice. A DELETE has none, so it is tried once.
    const idempotent = options.idempotent ?? true
    const key =
      method === 'POST' && idempotent ? (options.idempotencyKey ?? randomUUID()) : undefined
    const tries = method === 'DELETE' ? 1 : this.retries + 1
    const mayRetry = (error: ConveyorApiError, attempt: number) =>
      attempt < tries && (idempotent || notActedOn(error))
    const headers: Record<string, string> = {
      accept: options.stream ? 'text/event-stream' : 'application/json',
    }
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`
    if (key) headers['idempotency-key'] = key
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    const timeoutMs = options.timeoutMs ?? this.timeoutMs

    for (let attempt = 1; ; attempt += 1) {
      // The deadline covers the whole answer, but only the connection of a stream.
      const deadline = new AbortController()
      const timer = setTimeout(() => deadline.abort(), timeoutMs)
      timer.unref()
      const timeout = deadline.signal
      const signals = options.signal ? [timeout, options.signal] : [timeout]
      let res: Response
      try {
        res = await fetch(this.url(path, options.query), {
          method,
          headers,
          body,
          signal: AbortSignal.any(signals),
        })
        if (options.stream) clearTimeout(timer)
      } catch (cause) {
        if (options.signal?.aborted) {
          throw new ConveyorApiError({ code: 'aborted', message: `${what}: aborted`, cause })
        }
        const error = timeout.aborted
          ? new ConveyorApiError({
              code: 'timeout',
              message: `${what}: no answer within ${timeoutMs} ms`,
              cause,
            })
          : new ConveyorApiError({
              code: 'network_error',
              message: `${what}: cannot reach ${this.base} (${causeText(cause)})`,
              cause,
            })
        if (!mayRetry(error, attempt)) throw error
        await sleep(this.backoff(attempt), options.signal)
        continue
      }
      if (res.ok) return res
      const error = await errorFromResponse(res, what)
      const passing =
        RETRY_STATUSES.has(res.status) || (key !== undefined && RETRY_CODES.has(error.code))
      if (!passing || !mayRetry(error, attempt)) throw error
      await sleep(retryAfterMs(res) ?? this.backoff(attempt), options.signal)
    }
  }

  private backoff(attempt: number): number {
    return this.retryDelayMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4)
  }
}

/** The system error code under a failed fetch (`ECONNREFUSED`), if there is one. */
function causeCode(err: unknown): string | undefined {
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code
  return typeof code === 'string' ? code : undefined
}

function causeText(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } } | undefined)?.cause
  const code = causeCode(err)
  if (code !== undefined) return code
  if (typeof cause?.message === 'string') return cause.message
  return err instanceof Error ? err.message : String(err)
}
