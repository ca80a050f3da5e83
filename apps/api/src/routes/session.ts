import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import { ApiError } from '../api-error.js'
import { matchKey } from '../plugins/auth.js'
import { commonErrors } from '../schemas/common.js'
import { SessionLogin, SessionView } from '../schemas/dashboard.js'
import { readCookie, SESSION_COOKIE, SESSION_TTL_MS } from '../session-token.js'

function cookie(request: FastifyRequest, value: string, maxAgeS: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : ''
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`
}

/**
 * The dashboard's session: a key given once becomes an HttpOnly, SameSite=Strict cookie
 * plus a CSRF token the page sends on each mutation. Scripts send the key instead.
 */
export const sessionRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { required, keys, digests, sessions } = app.authConfig
  const tags = ['session']
  const config = { public: true }

  const view = (request: FastifyRequest, token: string | undefined) => {
    const index = token === undefined ? undefined : sessions.verify(token)
    if (!required) return { authRequired: false, role: 'admin' as const }
    if (request.apiKeyName !== undefined) {
      const out = { authRequired: true, role: request.role, name: request.apiKeyName }
      return token !== undefined && index !== undefined
        ? { ...out, csrf: sessions.csrfFor(token) }
        : out
    }
    return { authRequired: true }
  }

  app.get(
    '/session',
    {
      config,
      schema: {
        tags,
        summary: 'Whether a key is needed, and what the current one may do',
        response: { 200: SessionView, ...commonErrors },
      },
    },
    (request) => view(request, readCookie(request.headers.cookie, SESSION_COOKIE)),
  )

  app.post(
    '/session',
    {
      config,
      schema: {
        tags,
        summary: 'Trades an API key for a session cookie and its CSRF token',
        body: SessionLogin,
        response: { 200: SessionView, ...commonErrors },
      },
    },
    async (request, reply) => {
      if (!required) return { authRequired: false, role: 'admin' as const }
      const digest = matchKey(digests, request.body.key)
      const index = digest === undefined ? -1 : digests.findIndex((d) => d.equals(digest))
      const key = keys[index]
      if (!key || !digest) throw new ApiError(401, 'unauthorized', 'not a valid API key')
      const token = sessions.issue(index)
      void reply.header('set-cookie', cookie(request, token, SESSION_TTL_MS / 1000))
      const name = key.name ?? digest.subarray(0, 8).toString('hex')
      return { authRequired: true, role: key.role, name, csrf: sessions.csrfFor(token) }
    },
  )

  app.delete(
    '/session',
    {
      config,
      schema: {
        tags,
        summary: 'Ends the session (clears the cookie)',
        response: { 204: Type.Null(), ...commonErrors },
      },
    },
    async (request, reply) => {
      void reply.header('set-cookie', cookie(request, '', 0))
      return reply.code(204).send(null)
    },
  )
  done()
}
