import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from '../api-error.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** a short hash of the API key the request presented, once it is known to be valid */
    apiKeyId?: string
  }
  interface FastifyContextConfig {
    /** the route answers without an API key (liveness only) */
    public?: boolean
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

/**
 * With API keys configured, every route not marked `public` needs one, as
 * `Authorization: Bearer <key>` or `x-api-key`. Keys are compared as SHA-256 digests
 * with timingSafeEqual, so neither the length nor a prefix of a key leaks through timing.
 */
export const authPlugin = fp<AuthPluginOptions>(
  (app, options, done) => {
    const digests = keyDigests(options.keys)
    if (digests.length > 0) {
      app.addHook('onRequest', (request, _reply, next) => {
        const key = presentedKey(request)
        const digest = key === undefined ? undefined : matchKey(digests, key)
        if (digest !== undefined) request.apiKeyId = digest.subarray(0, 8).toString('hex')
        if (request.apiKeyId !== undefined || request.routeOptions.config.public === true) next()
        else next(new ApiError(401, 'unauthorized', 'a valid API key is required'))
      })
    }
    done()
  },
  { name: 'auth' },
)
