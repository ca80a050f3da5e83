import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'
import fp from 'fastify-plugin'

export interface DashboardPluginOptions {
  /** where the dashboard is served, e.g. /ui */
  path: string
}

/**
 * No inline script or style, nothing from another origin: the page runs only the
 * files served next to it and talks only to this API.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/** The built dashboard's files, read once at start-up (they are a few small files). */
function loadAssets(): Map<string, Buffer> {
  const pkg = createRequire(import.meta.url).resolve('@conveyor/dashboard/package.json')
  const dir = join(dirname(pkg), 'dist')
  const files = new Map<string, Buffer>()
  for (const name of readdirSync(dir)) {
    if (TYPES[extname(name)] !== undefined) files.set(name, readFileSync(join(dir, name)))
  }
  return files
}

/**
 * Serves the dashboard's static files under `path` (public: the page itself asks for a
 * key). The page finds the API relative to its own address, so the whole API can sit
 * behind a reverse proxy under a sub-path.
 */
export const dashboardPlugin = fp<DashboardPluginOptions>(
  (app, { path }, done) => {
    const assets = loadAssets()
    const index = (assets.get('index.html') ?? Buffer.from('')).toString('utf8')
    const page = Buffer.from(index.replaceAll('%UI_PATH%', path))
    const headers = {
      'content-security-policy': DASHBOARD_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    }
    const leaf = path.slice(path.lastIndexOf('/') + 1)
    const config = { public: true }
    const schema = { hide: true }
    // Relative, so that it holds behind a proxy that strips a prefix.
    app.get(path, { config, schema }, (_request, reply) => reply.redirect(`${leaf}/`, 302))
    app.get(`${path}/`, { config, schema }, (_request, reply) =>
      reply
        .headers(headers)
        .type(TYPES['.html'] ?? '')
        .send(page),
    )
    app.get<{ Params: { file: string } }>(`${path}/:file`, { config, schema }, (request, reply) => {
      const file = request.params.file
      const body = file === 'index.html' ? page : assets.get(file)
      const type = TYPES[extname(file)]
      if (body === undefined || type === undefined) {
        return reply.code(404).send({ error: 'not_found', message: `no file "${file}"` })
      }
      return reply.headers(headers).type(type).send(body)
    })
    done()
  },
  { name: 'dashboard' },
)
