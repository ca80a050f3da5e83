/**
 * The dashboard's main browser suite, run at the root (dashboard.test.ts) and again
 * behind a reverse proxy under a sub-path, with the UI at a path of its own
 * (dashboard-subpath.test.ts). The dashboard in a real browser (Debian's Chromium
 * through playwright-core) against the built API and a worker on a private Redis: each
 * screen, live updates, the actions (each checked through the API afterwards), search,
 * dead-letter groups, accessibility in both themes, screenshots.
 */
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { freePort, startSystem, until, type System } from '@conveyor/test-support'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCaller, type ApiCaller } from './api-calls.js'
import { csvFile } from './files.js'
import {
  launchBrowser,
  overflowAt,
  screenshot,
  seriousViolations,
  showScreen,
  watchedPage,
  type WatchedPage,
  ZOOM_200,
} from './browser.js'
import { startPrefixProxy } from './prefix-proxy.js'

export interface DashboardSuiteOptions {
  /** serve the API through a reverse proxy under this sub-path, e.g. /conveyor */
  prefix?: string
  /** the dashboard's own path (UI_PATH); /ui when absent */
  uiPath?: string
}

/** Declares the suite (its hooks and tests) in the calling test file. */
export function dashboardSuite(options: DashboardSuiteOptions = {}): void {
  const uiPath = options.uiPath ?? '/ui'
  const where = options.prefix === undefined ? '' : ` under ${options.prefix}${uiPath}`
  /** screenshots of the sub-path run do not overwrite the root run's */
  const suffix = options.prefix === undefined ? '' : '-subpath'

  const FAILING_PHONE = '+15550000001'

  let redis: RedisServerHandle
  let system: System
  let browser: Browser
  let context: BrowserContext
  let watched: WatchedPage
  let page: Page
  let call: ApiCaller
  let ui: string
  /** where the API answers: the system itself, or the proxy's sub-path */
  let base: string
  let proxy: Awaited<ReturnType<typeof startPrefixProxy>> | undefined
  /** a job that stays, for the job screen */
  let kept = ''

  interface Job {
    id: string
    state: string
  }

  async function jobState(id: string): Promise<string> {
    const { status, json } = await call<Job>('GET', `/jobs/${encodeURIComponent(id)}`)
    return status === 404 ? 'gone' : json.state
  }

  async function counts(queue: string): Promise<Record<string, number | boolean>> {
    const { json } = await call<{ queues: ({ name: string } & Record<string, number>)[] }>(
      'GET',
      '/overview',
    )
    return json.queues.find((q) => q.name === queue) ?? {}
  }

  async function sms(phone: string, message: string, options: Record<string, unknown> = {}) {
    const { status, json } = await call<{ id: string }>('POST', '/jobs', {
      type: 'sms',
      payload: { phone, message },
      ...options,
    })
    expect(status).toBe(202)
    return json.id
  }

  const show = (hash: string) => showScreen(watched, `${ui}#/${hash}`)

  beforeAll(async () => {
    redis = await startRedisServer()
    // Mail goes to a port nobody listens on: every email fails the same way.
    const smtpUrl = `smtp://127.0.0.1:${await freePort()}`
    system = await startSystem({
      redisUrl: redis.url,
      env: {
        WORKER_LEASE_MS: '3000',
        SMTP_URL: smtpUrl,
        ...(options.uiPath === undefined ? {} : { UI_PATH: options.uiPath }),
      },
    })
    system.sms.behaviours.set(FAILING_PHONE, 'unavailable')
    if (options.prefix !== undefined) {
      proxy = await startPrefixProxy({ prefix: options.prefix, target: system.url })
    }
    base = proxy?.url ?? system.url
    call = apiCaller(base)
    ui = `${base}${uiPath}/`
    browser = await launchBrowser()
    context = await browser.newContext()
    context.setDefaultTimeout(10_000)
    watched = await watchedPage(context)
    page = watched.page
    page.on('dialog', (d) => void d.accept())
  })

  afterAll(async () => {
    await browser?.close()
    await proxy?.close()
    await system?.close()
    await redis?.stop()
  })

  describe(`the dashboard${where}`, () => {
    it('is served at its path with a strict Content-Security-Policy and no inline script', async () => {
      const res = await fetch(ui)
      expect(res.status).toBe(200)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toContain('unsafe-inline')
      const redirect = await fetch(`${base}${uiPath}`, { redirect: 'manual' })
      expect(redirect.status).toBe(302)
      expect(redirect.headers.get('location')).toBe(`${uiPath.split('/').pop() ?? ''}/`)
    })

    it('shows a job posted through the API on the overview within 2 s, without a reload', async () => {
      await call('POST', '/queues/default/pause')
      await show('')
      const cell = page.locator('tr:has(th a:text-is("default")) td[data-label="queued"]')
      await expect.poll(() => cell.textContent()).toBe('0')
      await sms('+15550001111', 'live')
      // Polled from the test, not by a predicate in the page: the page's CSP forbids the
      // eval that a string predicate needs once it has to wait.
      await expect.poll(() => cell.textContent(), { timeout: 2_000, interval: 50 }).toBe('1')
      await call('POST', '/queues/default/resume')
    })

    it("follows a conversion's state and progress live on its page", async () => {
      await call('POST', '/queues/convert/pause')
      const form = new FormData()
      form.append('targetFormat', 'json')
      form.append('file', new Blob([csvFile()], { type: 'text/csv' }), 'people.csv')
      const res = await fetch(`${base}/uploads`, { method: 'POST', body: form })
      expect(res.status).toBe(202)
      const { jobId } = (await res.json()) as { jobId: string }
      await show(`jobs/${jobId}`)
      expect(await page.getByTestId('job-state').textContent()).toContain('queued')
      expect(await page.getByTestId('job-progress').textContent()).toBe('–')
      await call('POST', '/queues/convert/resume')
      await expect
        .poll(() => page.getByTestId('job-state').textContent(), { timeout: 15_000 })
        .toContain('completed')
      expect(await page.getByTestId('job-progress').textContent()).toContain('100')
    })

    it('groups dead letters by error: two kinds', async () => {
      for (let i = 0; i < 3; i += 1) await sms(FAILING_PHONE, `fail ${i}`, { maxAttempts: 1 })
      for (let i = 0; i < 2; i += 1) {
        const { status } = await call('POST', '/jobs', {
          type: 'email',
          payload: { to: `user${i}@example.com`, subject: 'hi', body: 'b' },
          maxAttempts: 1,
        })
        expect(status).toBe(202)
      }
      await until(async () => (await counts('default')).dead === 5, 'five dead jobs', 30_000)
      await show('dead/default')
      const rows = page.locator('tbody tr')
      await expect.poll(() => rows.count()).toBe(2)
      const jobs = await page.locator('tbody td[data-label="jobs"]').allTextContents()
      expect(jobs.sort()).toEqual(['2', '3'])
      await screenshot(page, `dead-letters${suffix}`)
    })

    it('pauses from the overview, bulk-retries three selected rows, then all matching', async () => {
      await show('')
      await page.getByRole('button', { name: 'Pause default' }).click()
      await until(async () => (await counts('default')).paused === true, 'default paused')
      await show('queues/default?state=dead')
      const boxes = page.locator('tbody input[type="checkbox"]')
      await expect.poll(() => boxes.count()).toBe(5)
      const ids = await page.locator('tbody td[data-label="job"] a').allTextContents()
      await boxes.nth(0).click()
      await boxes.nth(2).click({ modifiers: ['Shift'] })
      await expect.poll(() => page.getByText('3 selected').count()).toBe(1)
      await page.getByRole('button', { name: 'Retry selected' }).click()
      for (const id of ids.slice(0, 3)) {
        await until(async () => (await jobState(id)) === 'queued', `${id} queued`)
      }
      expect(await jobState(ids[3] ?? '')).toBe('dead')
      await page.getByRole('button', { name: 'Retry all matching' }).click()
      await page.getByText(/^Done: Retry 2 jobs/).waitFor()
      expect((await counts('default')).dead).toBe(0)
      for (const id of ids) expect(await jobState(id)).toBe('queued')
    })

    it('cancels, retries and deletes a job from its page', async () => {
      const id = await sms('+15550002222', 'to cancel')
      await show(`jobs/${id}`)
      await page.getByRole('button', { name: 'Cancel' }).click()
      await until(async () => (await jobState(id)) === 'cancelled', 'cancelled')
      await page.getByRole('button', { name: 'Retry' }).click()
      await until(async () => (await jobState(id)) === 'queued', 'queued again')
      await expect.poll(() => page.getByTestId('job-state').textContent()).toContain('queued')
      await page.getByRole('button', { name: 'Delete' }).click()
      await until(async () => (await jobState(id)) === 'gone', 'deleted')
    })

    it('searches by id, by type and inside payloads', async () => {
      const needle = await sms('+15550003333', 'find the needle-4711 here')
      kept = needle
      await call('POST', '/jobs', {
        type: 'email',
        payload: { to: 'a@example.com', subject: 's', body: 'b' },
      })
      await call('POST', '/queues/default/pause')
      await show('queues/default?state=queued&text=needle-4711')
      // the jobs table: the queue screen also has a table of wait and run times
      const rows = page.getByTestId('jobs').locator('tbody tr')
      await expect.poll(() => rows.count()).toBe(1)
      expect(await page.locator('tbody td[data-label="job"]').textContent()).toBe(needle)
      await show('queues/default?state=queued&type=email')
      // The email just posted and the two dead ones retried above.
      await expect.poll(() => rows.count()).toBe(3)
      const types = await page.locator('tbody td[data-label="type"]').allTextContents()
      expect(new Set(types)).toEqual(new Set(['email']))
      await page.getByLabel('Job id').fill(needle)
      await page.getByRole('button', { name: 'Open job' }).click()
      await page.getByRole('heading', { name: `Job ${needle}` }).waitFor()
    })

    it('resumes the queue from the overview; the jobs run', async () => {
      await show('')
      await page.getByRole('button', { name: 'Resume default' }).click()
      await until(async () => (await counts('default')).paused === false, 'default resumed')
    })

    it('lists live workers, and the audit log lists what the test did', async () => {
      await show('workers')
      await expect
        .poll(() => page.locator('td[data-label="status"]').first().textContent())
        .toContain('alive')
      const { json } = await call<{ entries: { action: string; count?: number }[] }>(
        'GET',
        '/audit',
      )
      const actions = json.entries.map((e) => e.action)
      for (const action of [
        'POST /queues/:queue/pause',
        'POST /queues/:queue/resume',
        'POST /jobs/bulk',
        'POST /queues/:queue/bulk',
        'POST /jobs/:id/cancel',
        'POST /jobs/:id/retry',
        'DELETE /jobs/:id',
      ]) {
        expect(actions, action).toContain(action)
      }
      expect(json.entries.find((e) => e.action === 'POST /jobs/bulk')?.count).toBe(3)
      await show('audit')
      await expect.poll(() => page.getByText('POST /jobs/bulk').count()).toBeGreaterThan(0)
    })

    it('every screen: no console error, failed request or CSP violation; axe-clean in both themes; fits 320 px and 200% zoom', async () => {
      const screens: [string, string][] = [
        ['overview', ''],
        ['queue', 'queues/default?state=queued'],
        ['job', `jobs/${kept}`],
        ['dead-letters', 'dead/default'],
        ['workers', 'workers'],
        ['schedules', 'schedules'],
        ['audit', 'audit'],
      ]
      for (const theme of ['light', 'dark']) {
        await page.evaluate(`localStorage.setItem('conveyor-theme', '${theme}')`)
        await page.reload()
        for (const [name, hash] of screens) {
          await page.setViewportSize({ width: 1280, height: 800 })
          await show(hash)
          expect(await page.evaluate('document.documentElement.dataset.theme')).toBe(theme)
          expect(await seriousViolations(page), `${name} (${theme})`).toEqual([])
          await screenshot(page, `${name}-${theme}${suffix}`)
          expect(await overflowAt(page, 320, 640), `${name} at 320 px`).toBeLessThanOrEqual(0)
          await screenshot(page, `${name}-${theme}-320px${suffix}`)
          const zoomed = await overflowAt(page, ZOOM_200.width, ZOOM_200.height)
          expect(zoomed, `${name} at 200% zoom`).toBeLessThanOrEqual(0)
          if (theme === 'light') await screenshot(page, `${name}-200pct${suffix}`)
        }
      }
      expect(watched.problems).toEqual([])
    })
  })
}
