import { createHmac, timingSafeEqual } from 'node:crypto'

/** How long a dashboard session lasts. */
export const SESSION_TTL_MS = 8 * 3_600_000
export const SESSION_COOKIE = 'conveyor_session'

/**
 * Stateless sessions: the cookie names the key (by its index in API_KEYS), an expiry
 * and a MAC under a secret derived from the keys, so every API instance accepts it and
 * changing the keys ends every session. The CSRF token is a MAC of the cookie, which a
 * page on another origin can neither read nor forge.
 */
export class SessionTokens {
  constructor(private readonly secret: Buffer) {}

  issue(keyIndex: number, now = Date.now()): string {
    const body = `${keyIndex}.${now + SESSION_TTL_MS}`
    return `${body}.${this.mac(body)}`
  }

  /** The key index a valid, unexpired token names. */
  verify(token: string, now = Date.now()): number | undefined {
    const match = /^(\d{1,4})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token)
    if (!match) return undefined
    const body = `${match[1]}.${match[2]}`
    if (!same(this.mac(body), match[3] ?? '') || Number(match[2]) < now) return undefined
    return Number(match[1])
  }

  csrfFor(token: string): string {
    return this.mac(`csrf.${token}`)
  }

  checkCsrf(token: string, presented: string | undefined): boolean {
    return presented !== undefined && same(this.csrfFor(token), presented)
  }

  private mac(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url')
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const cut = part.indexOf('=')
    if (cut > 0 && part.slice(0, cut).trim() === name) return part.slice(cut + 1).trim()
  }
  return undefined
}
