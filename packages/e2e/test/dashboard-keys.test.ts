/**
 * The dashboard with API keys, behind a reverse proxy under a sub-path, with the UI
 * itself at a configured path: the key form, roles (a read key sees no action button
 * and a forced mutation gets 403), the session's CSRF token, and the audit log naming
 * the key. Debian's Chromium through playwright-core, the built API and worker.
 */
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { startSystem, until, type System } from '@conveyor/test-support'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCaller, type ApiCaller } from './support/api-calls.js'
import { launchBrowser, screenshot, signIn as signInTo } from './support/browser.js'
import { startPrefixProxy } from './support/prefix-proxy.js'

const ADMIN = 'ck_admin_5b8e0c1d'
const READER = 'ck_read_93af27e4'
const UI_PATH = '/ops/dashboard'

let redis: RedisServerHandle
let system: System
let proxy: Awaited<ReturnType<typeof startPrefixProxy>>
let browser: Browser
let admin: ApiCaller
let ui: string

const signIn = (key: string) => signInTo(browser, ui, key)

async function paused(): Promise<boolean> {
  const { json } = await admin<{ queues: { name: string; paused: boolean }[] }>('GET', '/queues')
  return json.queues.find((q) => q.name === 'default')?.paused === true
}

beforeAll(async () => {
  redis = await startRedisServer()
  system = await startSystem({
    redisUrl: redis.url,
    apiKeys: `ops-admin:admin:${ADMIN},viewer:read:${READER}`,
    env: { UI_PATH },
  })
  proxy = await startPrefixProxy({ prefix: '/conveyor', target: system.url })
  admin = apiCaller(proxy.url, { authorization: `Bearer ${ADMIN}` })
  ui = `${proxy.url}${UI_PATH}/`
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await system?.close()
  await redis?.stop()
})

describe('the dashboard with keys, under a sub-path', () => {
  it('asks for a key, and a read key sees the screens but no action button', async () => {
    const { status } = await admin('POST', '/jobs', {
      type: 'sms',
      payload: { phone: '+15550001234', message: 'hello' },
    })
    expect(status).toBe(202)
    const { page, problems } = await signIn(READER)
    await page.getByText('viewer (read)').waitFor()
    const row = page.locator('tr:has(th a:text-is("default"))')
    await row.waitFor()
    expect(await page.getByRole('button', { name: /Pause|Resume/ }).count()).toBe(0)
    for (const hash of ['queues/default?state=completed', 'dead/default', 'workers', 'audit']) {
      await page.goto(`${ui}#/${hash}`)
      await page.locator('h1').first().waitFor()
      await page.getByText('Loading…').first().waitFor({ state: 'detached' })
      const buttons = await page.locator('main button').allTextContents()
      expect(
        buttons.filter((b) => /Retry|Cancel|Delete|Requeue|Pause/.test(b)),
        hash,
      ).toEqual([])
    }
    await screenshot(page, 'read-key-queue')
    expect(problems).toEqual([])
  })

  it('answers 403 to a read key forcing a mutation, from the page and with the key', async () => {
    const { page } = await signIn(READER)
    const forced = await page.evaluate<number>(`
      fetch('../queues/default/pause', { method: 'POST' }).then((r) => r.status)
    `)
    // Without the CSRF token a session may not mutate at all; with it, the role says no.
    expect(forced).toBe(403)
    const session = await page.evaluate<{ csrf: string }>(
      `fetch('../session').then((r) => r.json())`,
    )
    const withToken = await page.evaluate<number>(`
      fetch('../queues/default/pause', {
        method: 'POST',
        headers: { 'x-csrf-token': '${session.csrf}' },
      }).then((r) => r.status)
    `)
    expect(withToken).toBe(403)
    const reader = apiCaller(proxy.url, { authorization: `Bearer ${READER}` })
    expect((await reader('POST', '/queues/default/pause')).status).toBe(403)
    expect((await reader('GET', '/overview')).status).toBe(200)
    expect(await paused()).toBe(false)
  })

  it('an admin key pauses and resumes through the proxy; the audit log names the key', async () => {
    const { page, problems } = await signIn(ADMIN)
    await page.getByRole('button', { name: 'Pause default' }).click()
    await until(paused, 'default paused')
    await page.getByRole('button', { name: 'Resume default' }).click()
    await until(async () => !(await paused()), 'default resumed')
    const { json } = await admin<{ entries: { key: string; action: string }[] }>('GET', '/audit')
    expect(json.entries.slice(0, 2)).toEqual([
      expect.objectContaining({ key: 'ops-admin', action: 'POST /queues/:queue/resume' }),
      expect.objectContaining({ key: 'ops-admin', action: 'POST /queues/:queue/pause' }),
    ])
    expect(json.entries.some((e) => e.key === 'viewer')).toBe(false)
    await page.goto(`${ui}#/audit`)
    await page.getByText('ops-admin').first().waitFor()
    await screenshot(page, 'admin-audit-subpath')
    expect(problems).toEqual([])
  })
})
