import { readFileSync } from 'node:fs'

/**
 * The connection options the services hand to ioredis (structurally a subset of its
 * RedisOptions, so service-kit needs no ioredis of its own).
 */
export interface RedisConnectionOptions {
  host: string
  port: number
  username?: string
  password?: string
  db?: number
  /** set for `rediss://`: Node's TLS options, with the CA that signed the server's certificate */
  tls?: { ca?: Buffer }
}

/**
 * Turns `REDIS_URL` (and `REDIS_TLS_CA_FILE`) into ioredis options. A URL alone cannot
 * carry a private CA, and queue-core's `connection` takes a URL *or* options, not both:
 * one parse here keeps the three services connecting the same way. `rediss://` turns
 * TLS on (verified against the system CAs, or against `caFile` when given); a CA file
 * with a plain `redis://` URL is a mistake, reported rather than silently ignored.
 */
export function redisOptionsFrom(url: string, caFile?: string): RedisConnectionOptions {
  const u = new URL(url)
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis:// or rediss://`)
  }
  const secure = u.protocol === 'rediss:'
  if (caFile !== undefined && !secure) {
    throw new Error('REDIS_TLS_CA_FILE is set but REDIS_URL is not rediss://')
  }
  const options: RedisConnectionOptions = {
    // WHATWG URL keeps the brackets of an IPv6 literal; sockets want the bare address.
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: u.port === '' ? 6379 : Number(u.port),
  }
  if (u.username !== '') options.username = decodeURIComponent(u.username)
  if (u.password !== '') options.password = decodeURIComponent(u.password)
  const db = u.pathname.replace(/^\//, '')
  if (db !== '') options.db = Number(db)
  if (secure) options.tls = caFile === undefined ? {} : { ca: readFileSync(caFile) }
  return options
}
