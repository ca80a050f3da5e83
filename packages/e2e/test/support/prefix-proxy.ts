import { createServer, request, type Server } from 'node:http'
import { freePort } from '@conveyor/test-support'

/**
 * A reverse proxy that serves `target` under `prefix` (it strips the prefix on the way
 * in), as nginx's `location /conveyor/ { proxy_pass http://api/; }` does.
 */
export async function startPrefixProxy(options: { prefix: string; target: string }) {
  const target = new URL(options.target)
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/'
    if (!url.startsWith(`${options.prefix}/`)) {
      res.writeHead(404).end('outside the prefix')
      return
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: url.slice(options.prefix.length),
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
    res.on('close', () => upstream.destroy())
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${port}${options.prefix}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
