import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SmsRequest {
  to: string
  from: string
  body: string
  account: string
  at: number
}

/** How the fake provider treats a number: send, fail with 503, or hold the request open. */
export type Behaviour = 'ok' | 'unavailable' | 'hang'

/**
 * A stand-in for Twilio's Messages API on loopback: it checks the path and Basic auth
 * like the real one, records each request and answers per the number's behaviour.
 */
export class SmsSink {
  readonly requests: SmsRequest[] = []
  readonly behaviours = new Map<string, Behaviour>()
  /** how long each request is held before the answer: keeps jobs in flight long enough to be hit */
  delayMs = 0
  private readonly server: Server
  private seq = 0

  private constructor(
    readonly sid: string,
    readonly token: string,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res))
  }

  static async start(sid: string, token: string): Promise<SmsSink> {
    const sink = new SmsSink(sid, token)
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve))
    return sink
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  sentTo(phone: string): SmsRequest[] {
    return this.requests.filter((r) => r.to === phone)
  }

  /** How many times each message body was delivered: a body seen twice is a job run twice. */
  deliveries(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const r of this.requests) counts.set(r.body, (counts.get(r.body) ?? 0) + 1)
    return counts
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const expectedPath = `/2010-04-01/Accounts/${this.sid}/Messages.json`
    const auth = `Basic ${Buffer.from(`${this.sid}:${this.token}`).toString('base64')}`
    if (req.method !== 'POST' || req.url !== expectedPath)
      return reply(res, 404, { message: 'not found' })
    if (req.headers.authorization !== auth) return reply(res, 401, { message: 'bad credentials' })
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    const request: SmsRequest = {
      to: form.get('To') ?? '',
      from: form.get('From') ?? '',
      body: form.get('Body') ?? '',
      account: this.sid,
      at: Date.now(),
    }
    // Recorded on arrival, as a real provider would send it even if the worker dies
    // before it reads the answer.
    this.requests.push(request)
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs))
    const behaviour = this.behaviours.get(request.to) ?? 'ok'
    if (behaviour === 'hang') return // the socket stays open until the client goes away
    if (behaviour === 'unavailable') return reply(res, 503, { message: 'try later' })
    this.seq += 1
    reply(res, 201, { sid: `SM${String(this.seq).padStart(32, '0')}`, status: 'queued' })
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  // A held request whose client went away (a killed worker) has nobody to answer.
  if (res.destroyed) return
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
