/**
 * With API_KEYS set, every route the app registers but /healthz wants a key. The
 * routes come from the app's own route table (an onRoute hook), not from a list kept
 * here, so a route added later cannot escape the check. Keys are compared in constant
 * time, and the rate limit answers 429.
 */
import { readFile } from 'node:fs/promises'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { apiPlugin } from '../../src/app.js'
import { keyDigests, matchKey } from '../../src/plugins/auth.js'
import { SERVER_OPTIONS } from '../../src/server-options.js'
import { startTestApp, type TestApp } from '../support/test-app.js'

const KEY = 'ck_live_7c1e9b2f4a6d'
const OTHER = 'ck_live_second_key_9'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

/** The API as buildApp() makes it, with every route it registers recorded. */
async function appWithRouteTable(config: TestApp['config']) {
  const routes: { method: string; url: string }[] = []
  const app = Fastify({ ...SERVER_OPTIONS, logger: false }).withTypeProvider<TypeBoxTypeProvider>()
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url })
  })
  await app.register(apiPlugin, { config })
  await app.ready()
  return { app, routes }
}

// A concrete URL for a route pattern: each parameter and wildcard gets a value.
/**
 * Open on purpose: liveness, the dashboard's session (it trades a key for a cookie) and
 * the dashboard's static files (the page itself asks for a key).
 */
const PUBLIC = new Set(['/healthz', '/session', '/ui', '/ui/', '/ui/:file'])

const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'x').replace(/\*/g, 'x')

describe('with API_KEYS set', () => {
  it('answers 401 without a valid key on every registered route but the public ones', async () => {
    t = await startTestApp({ API_KEYS: `${KEY},${OTHER}` })
    const { app, routes } = await appWithRouteTable(t.config)
    try {
      const urls = new Set(routes.map((r) => r.url))
      // The table really holds the routes that matter most, so an empty or partial one
      // cannot pass the test.
      for (const url of ['/metrics', '/docs', '/docs/json', '/jobs/:id/events', '/uploads']) {
        expect(urls, url).toContain(url)
      }
      const open: string[] = []
      const checked: string[] = []
      for (const { method, url } of routes) {
        if (method === 'OPTIONS') continue
        for (const headers of [{}, { authorization: `Bearer ${KEY}x` }, { 'x-api-key': '' }]) {
          const res = await app.inject({ method: method as 'GET', url: concrete(url), headers })
          const refused = res.statusCode === 401
          if (PUBLIC.has(url) ? url === '/healthz' && res.statusCode !== 200 : !refused) {
            open.push(`${method} ${url} -> ${res.statusCode}`)
          }
        }
        checked.push(`${method} ${url}`)
      }
      console.log(
        `[api-keys] routes=${checked.length} public=${checked.filter((r) => r.endsWith(' /healthz')).length} unprotected=${open.length}`,
      )
      expect(open).toEqual([])
    } finally {
      await app.close()
    }
  })

  it('lets the same routes through with a valid key (the 401 was the key, not the route)', async () => {
    t = await startTestApp({ API_KEYS: KEY })
    for (const url of ['/metrics', '/docs/json', '/queues']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { 'x-api-key': KEY } })
      expect(res.statusCode, url).toBe(200)
    }
  })
})

describe('key comparison', () => {
  const digests = keyDigests([KEY, OTHER])

  it('matches each key exactly, and nothing shorter, longer or near it', () => {
    expect(matchKey(digests, KEY)).toBeInstanceOf(Buffer)
    expect(matchKey(digests, OTHER)).toBeInstanceOf(Buffer)
    // timingSafeEqual throws on unequal lengths: hashing first makes any input safe.
    for (const wrong of [
      '',
      'c',
      KEY.slice(0, -1),
      `${KEY}x`,
      KEY.toUpperCase(),
      'x'.repeat(1e5),
    ]) {
      expect(matchKey(digests, wrong), JSON.stringify(wrong.slice(0, 20))).toBeUndefined()
    }
    expect(matchKey([], KEY)).toBeUndefined()
  })

  it('hashes both sides and compares with crypto.timingSafeEqual, with no early exit', async () => {
    const source = await readFile(new URL('../../src/plugins/auth.ts', import.meta.url), 'utf8')
    const body = /export function matchKey[\s\S]*?\n}\n/.exec(source)?.[0] ?? ''
    expect(source).toMatch(/import \{[^}]*\btimingSafeEqual\b[^}]*\} from 'node:crypto'/)
    expect(source).toMatch(/createHash\('sha256'\)/)
    expect(body).toMatch(/sha256\(presented\)/)
    expect(body).toMatch(/timingSafeEqual\(d, digest\)/)
    // No string comparison of keys and no short-circuit out of the loop.
    expect(body).not.toMatch(
      /===|!==|\bbreak\b|\breturn\b[^\n]*\bfor\b|\.some\(|\.find\(|\.includes\(/,
    )
    expect(keyDigests([KEY])[0]).toHaveLength(32)
  })
})

describe('rate limit', () => {
  it('answers 429 past RATE_LIMIT_MAX, with or without keys', async () => {
    const statuses: number[] = []
    for (const env of <Record<string, string>[]>[
      { RATE_LIMIT_MAX: '3' },
      { RATE_LIMIT_MAX: '3', API_KEYS: KEY },
    ]) {
      t = await startTestApp(env)
      for (let i = 0; i < 5; i += 1) {
        const res = await t.app.inject({
          method: 'GET',
          url: '/queues',
          headers: { 'x-api-key': KEY },
        })
        statuses.push(res.statusCode)
      }
      await t.close()
      t = undefined
    }
    console.log(`[rate-limit] max=3 statuses=${statuses.join(',')}`)
    expect(statuses).toEqual([200, 200, 200, 429, 429, 200, 200, 200, 429, 429])
  })
})
