import { randomUUID } from 'node:crypto'
import type { FastifyServerOptions } from 'fastify'

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The Fastify options every instance gets, in tests as in production. A JSON body is
 * capped at 1 MiB (a route may allow more); a socket may sit idle for at most a
 * minute, but a request body may take up to an hour to arrive, so a large upload on
 * a slow link is not cut.
 */
export const SERVER_OPTIONS = {
  bodyLimit: 1024 * 1024,
  connectionTimeout: 60_000,
  requestTimeout: 3_600_000,
  keepAliveTimeout: 72_000,
  return503OnClosing: true,
  // Let a caller's request id through (for tracing across services) if it is sane.
  requestIdHeader: false,
  genReqId: (req) => {
    const given = req.headers['x-request-id']
    return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
  },
} satisfies FastifyServerOptions
