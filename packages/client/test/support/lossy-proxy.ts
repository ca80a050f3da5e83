import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding'])

/**
 * An HTTP proxy in front of the API that loses the answer to the first request
 * matching `drop`: it forwards the request, waits for the API to act on it, then cuts
 * the connection, as a network fault between client and server would.
 */
export class LossyProxy {
  readonly seen: { method: string; url: string; idempotencyKey: string | undefined }[] = []
  private dropped = false
  private readonly server: Server

  private constructor(
    private readonly target: string,
    private readonly drop: (method: string, url: string) => boolean,
  ) {
    this.server = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = []
        for await (const chunk of req) chunks.push(chunk as Buffer)
        const method = req.method ?? 'GET'
        const url = req.url ?? '/'
        const key = req.headers['idempotency-key']
        this.seen.push({ method, url, idempotencyKey: typeof key === 'string' ? key : undefined })
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === 'string' && !HOP_HEADERS.has(name)) headers[name] = value
        }
        const upstream = await fetch(`${this.target}${url}`, {
          method,
          headers,
          body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        })
        const body = Buffer.from(await upstream.arrayBuffer())
        if (!this.dropped && this.drop(method, url)) {
          this.dropped = true
          req.socket.destroy()
          return
        }
        const answer = [...upstream.headers].filter(([name]) => !HOP_HEADERS.has(name))
        res.writeHead(upstream.status, Object.fromEntries(answer))
        res.end(body)
      })()
    })
  }

  static async start(
    target: string,
    drop: (method: string, url: string) => boolean,
  ): Promise<LossyProxy> {
    const proxy = new LossyProxy(target, drop)
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
