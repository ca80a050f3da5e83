import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from '../api-error.js'
import { allows, parseApiKeys, type ApiKey, type Role } from '../api-keys.js'
import { readCookie, SESSION_COOKIE, SessionTokens } from '../session-token.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** a short hash of the API key the request presented, once it is known to be valid */
    apiKeyId?: string
    /** the key's name from API_KEYS (its id when unnamed), for the audit log */
    apiKeyName?: string
    /** what the key may do; admin when no keys are configured */
    role: Role
  }
  interface FastifyInstance {
    authConfig: {
      required: boolean
      keys: ApiKey[]
      digests: Buffer[]
      sessions: SessionTokens
    }
  }
  interface FastifyContextConfig {
    /** the route answers without an API key (liveness only) */
    public?: boolean
    /** the role a key needs here, when not the one its method implies */
    role?: Role
  }
}

export interface AuthPluginOptions {
  keys: string[]
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/**
 * Whether `presented` is one of the keys, given as their SHA-256 digests. Both sides
 * are hashed, so timingSafeEqual always compares 32 bytes (it throws on unequal lengths
 * and would otherwise leak a key's length), and every key is compared, with no early
 * exit, so the time taken says nothing about which key or how much of it matched.
 * Returns the presented key's digest when it matches.
 */
export function matchKey(digests: readonly Buffer[], presented: string): Buffer | undefined {
  const digest = sha256(presented)
  let ok = false
  for (const d of digests) ok = timingSafeEqual(d, digest) || ok
  return ok ? digest : undefined
}

/** The digests `matchKey` compares against. */
export function keyDigests(keys: readonly string[]): Buffer[] {
  return keys.map(sha256)
}

function presentedKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    if (match) return match[1]
  }
  const header = request.headers['x-api-key']
  return typeof header === 'string' && header !== '' ? header : undefined
}

/** The role a route needs unless its config names one: reads need read, deletes admin. */
function defaultRole(method: string): Role {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'read'
  return method === 'DELETE' ? 'admin' : 'operate'
}

/** Answers 403 unless the request's key has `role` (for actions whose role depends on the body). */
export function demandRole(request: FastifyRequest, role: Role): void {
  if (!allows(request.role, role)) {
    throw new ApiError(403, 'forbidden', `this needs a key with the ${role} role`)
  }
}

/**
 * With API keys configured, every route not marked `public` needs one, as
 * `Authorization: Bearer <key>`, `x-api-key`, or the dashboard's session cookie (then
 * with its CSRF token on every mutation), and a role that covers the route. Keys are
 * compared as SHA-256 digests with timingSafeEqual, so neither the length nor a prefix
 * of a key leaks through timing.
 */
export const authPlugin = fp<AuthPluginOptions>(
  (app, options, done) => {
    const keys = parseApiKeys(options.keys)
    const digests = keyDigests(keys.map((k) => k.secret))
    const sessions = new SessionTokens(
      createHash('sha256').update('conveyor-session').update(Buffer.concat(digests)).digest(),
    )
    app.decorate('authConfig', { required: digests.length > 0, keys, digests, sessions })
    app.decorateRequest('role', 'admin')
    if (digests.length > 0) {
      app.addHook('onRequest', (request, _reply, next) => {
        const found = authenticate(request, digests, sessions)
        if (found === undefined) {
          if (request.routeOptions.config.public === true) return next()
          return next(new ApiError(401, 'unauthorized', 'a valid API key is required'))
        }
        if (found === 'csrf') {
          return next(new ApiError(403, 'csrf_failed', 'a session needs its x-csrf-token header'))
        }
        const key = keys[found.index]
        const digest = digests[found.index]
        if (!key || !digest) return next(new ApiError(401, 'unauthorized', 'unknown key'))
        request.apiKeyId = digest.subarray(0, 8).toString('hex')
        request.apiKeyName = key.name ?? request.apiKeyId
        request.role = key.role
        const needs = request.routeOptions.config.role ?? defaultRole(request.method)
        if (!allows(key.role, needs) && request.routeOptions.config.public !== true) {
          return next(new ApiError(403, 'forbidden', `this needs a key with the ${needs} role`))
        }
        next()
      })
    }
    done()
  },
  { name: 'auth' },
)

function authenticate(
  request: FastifyRequest,
  digests: readonly Buffer[],
  sessions: SessionTokens,
): { index: number } | 'csrf' | undefined {
  const key = presentedKey(request)
  if (key !== undefined) {
    const digest = matchKey(digests, key)
    const index = digest === undefined ? -1 : digests.findIndex((d) => d.equals(digest))
    return index < 0 ? undefined : { index }
  }
  const token = readCookie(request.headers.cookie, SESSION_COOKIE)
  const index = token === undefined ? undefined : sessions.verify(token)
  if (token === undefined || index === undefined || index >= digests.length) return undefined
  const safe = request.method === 'GET' || request.method === 'HEAD'
  const csrf = request.headers['x-csrf-token']
  if (!safe && !sessions.checkCsrf(token, typeof csrf === 'string' ? csrf : undefined)) {
    return 'csrf'
  }
  return { index }
}
