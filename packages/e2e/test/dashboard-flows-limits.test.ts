/**
 * The dashboard's flow, batch and limits screens in a real browser (Debian's Chromium
 * through playwright-core) against the built API and a worker on a private Redis, behind
 * a reverse proxy under a sub-path (the main suite runs at the root and under one), with
 * an admin and a read key: a diamond flow drawn and followed live, a flow cancelled, a
 * batch's counts and callback, limits edited (a 400 shown at its field, the change
 * checked through the API), a read key seeing no edit control; each screen axe-clean in
 * both themes, with screenshots.
 */
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { startSystem, until, type System } from '@conveyor/test-support'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiCaller, type ApiCaller } from './support/api-calls.js'
import {
  launchBrowser,
  overflowAt,
  screenshot,
  seriousViolations,
  showScreen,
  signIn,
  type WatchedPage,
  ZOOM_200,
} from './support/browser.js'
import { startPrefixProxy } from './support/prefix-proxy.js'

const ADMIN = 'ck_admin_7d41e2a9'
const READER = 'ck_read_0c9b5f36'
const FAILING_PHONE = '+15550000001'

let redis: RedisServerHandle
let system: System
let proxy: Awaited<ReturnType<typeof startPrefixProxy>>
let browser: Browser
let admin: ApiCaller
let ui: string
let asAdmin: WatchedPage
let page: Page
/** what the screens test opens: set by the tests before it */
const opened = { flow: '', batch: '' }

const sms = (phone: string, message: string) => ({ type: 'sms', payload: { phone, message } })
const email = (subject: string) => ({
  type: 'email',
  payload: { to: 'a@example.com', subject, body: 'b' },
})

const show = (hash: string) => showScreen(asAdmin, `${ui}#/${hash}`)

async function paused(queue: string, on: boolean): Promise<void> {
  const { status } = await admin('POST', `/queues/${queue}/${on ? 'pause' : 'resume'}`)
  expect(status).toBe(200)
}

/** Each drawn node's text (id, type, state), by its id in the flow. */
async function drawnStates(): Promise<Record<string, string>> {
  const nodes = page.locator('svg a[data-node]')
  const out: Record<string, string> = {}
  for (const node of await nodes.all()) {
    out[(await node.getAttribute('data-node')) ?? ''] =
      (await node.locator('text').textContent()) ?? ''
  }
  return out
}

beforeAll(async () => {
  redis = await startRedisServer()
  system = await startSystem({
    redisUrl: redis.url,
    apiKeys: `ops-admin:admin:${ADMIN},viewer:read:${READER}`,
    env: { WORKER_LEASE_MS: '3000' },
  })
  system.sms.behaviours.set(FAILING_PHONE, 'unavailable')
  proxy = await startPrefixProxy({ prefix: '/conveyor', target: system.url })
  admin = apiCaller(proxy.url, { authorization: `Bearer ${ADMIN}` })
  ui = `${proxy.url}/ui/`
  browser = await launchBrowser()
  asAdmin = await signIn(browser, ui, ADMIN)
  page = asAdmin.page
  page.on('dialog', (d) => void d.accept())
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await system?.close()
  await redis?.stop()
})

describe('flows and batches on the dashboard', () => {
  it("draws a diamond flow from its job's page and follows its four jobs live", async () => {
    await paused('default', true)
    const { status, json } = await admin<{ flowId: string; jobs: Record<string, string> }>(
      'POST',
      '/flows',
      {
        name: 'diamond',
        jobs: [
          { id: 'A', ...sms('+15550004001', 'a') },
          { id: 'B', ...email('b'), dependsOn: ['A'] },
          {
            id: 'C',
            ...sms(FAILING_PHONE, 'c'),
            dependsOn: ['A'],
            options: { maxAttempts: 1 },
          },
          { id: 'D', ...email('d'), dependsOn: ['B', 'C'] },
        ],
      },
    )
    expect(status).toBe(202)
    opened.flow = json.flowId
    await show(`jobs/${json.jobs.A}`)
    await page.getByTestId('job-flow').click()
    await page.getByRole('heading', { name: /^Flow / }).waitFor()
    await expect.poll(() => page.locator('svg a[data-node]').count()).toBe(4)
    const before = await drawnStates()
    expect(before.A).toMatch(/^A\s*sms\s*…\s*queued$/)
    expect(before.B).toMatch(/^B\s*email\s*◌\s*waiting$/)
    expect(before.C).toMatch(/^C\s*sms\s*◌\s*waiting$/)
    expect(before.D).toMatch(/^D\s*email\s*◌\s*waiting$/)
    expect(await page.locator('svg path[data-edge]').count()).toBe(4)
    await screenshot(page, 'flow-diamond-waiting')

    await paused('default', false)
    // No reload: the page follows the jobs' events.
    await expect
      .poll(async () => Object.values(await drawnStates()).map((t) => t.split(/\s+/).pop()), {
        timeout: 20_000,
      })
      .toEqual(['completed', 'completed', 'dead', 'cancelled'])
    await expect.poll(() => page.getByTestId('flow-state').textContent()).toContain('failed')
    const { json: flow } = await admin<{ state: string }>('GET', `/flows/${json.flowId}`)
    expect(flow.state).toBe('failed')
    expect(await page.getByRole('button', { name: 'Cancel flow' }).count()).toBe(0)
    await page.locator('svg a[data-node="C"]').click()
    await page.getByRole('heading', { name: `Job ${json.jobs.C}` }).waitFor()
  })

  it('cancels a running flow from its page', async () => {
    await paused('default', true)
    const { json } = await admin<{ flowId: string }>('POST', '/flows', {
      jobs: [
        { id: 'first', ...sms('+15550004002', 'x') },
        { id: 'second', ...sms('+15550004002', 'y'), dependsOn: ['first'] },
      ],
    })
    await show('flows')
    await page.getByLabel('Flow id').fill(json.flowId)
    await page.getByRole('button', { name: 'Open flow' }).click()
    await page.getByRole('heading', { name: `Flow ${json.flowId}` }).waitFor()
    await page.getByRole('button', { name: 'Cancel flow' }).click()
    await until(async () => {
      const { json: flow } = await admin<{ state: string }>('GET', `/flows/${json.flowId}`)
      return flow.state === 'cancelled'
    }, 'the flow cancelled')
    await expect.poll(() => page.getByTestId('flow-state').textContent()).toContain('cancelled')
    expect(Object.values(await drawnStates()).map((t) => t.split(/\s+/).pop())).toEqual([
      'cancelled',
      'cancelled',
    ])
    await paused('default', false)
  })

  it("shows a batch's counts, failed job and callback, linked from its jobs", async () => {
    const { status, json } = await admin<{ batchId: string; jobs: string[] }>('POST', '/batches', {
      name: 'two texts',
      onComplete: sms('+15550004003', 'all done'),
      jobs: [
        sms('+15550004004', 'ok'),
        { ...sms(FAILING_PHONE, 'fails'), options: { maxAttempts: 1 } },
      ],
    })
    expect(status).toBe(201)
    opened.batch = json.batchId
    expect((await admin('POST', `/batches/${json.batchId}/close`)).status).toBe(200)
    await show(`jobs/${json.jobs[0] ?? ''}`)
    await page.getByTestId('job-batch').click()
    await page.getByRole('heading', { name: /^Batch / }).waitFor()
    await expect
      .poll(() => page.getByTestId('batch-state').textContent(), { timeout: 20_000 })
      .toContain('done')
    const { json: batch } = await admin<{ counts: Record<string, number> }>(
      'GET',
      `/batches/${json.batchId}`,
    )
    expect(batch.counts).toEqual({ total: 2, completed: 1, dead: 1, cancelled: 0, pending: 0 })
    const counts = page.getByTestId('batch-counts')
    expect(await counts.locator('td[data-label="completed"]').textContent()).toBe('1')
    expect(await counts.locator('td[data-label="dead"]').textContent()).toBe('1')
    expect(await page.getByTestId('batch-failed').textContent()).toBe(json.jobs[1])
    await expect
      .poll(() => page.getByTestId('callback-onComplete').textContent(), { timeout: 20_000 })
      .toContain('completed')
  })
})

describe('limits and groups on the dashboard', () => {
  it('edits the queue limits as admin: a 400 shows at its field, a save reaches the API', async () => {
    await show('queues/default')
    await page.getByRole('link', { name: 'Limits and groups' }).click()
    await page.getByRole('heading', { name: 'Limits and groups of default' }).waitFor()
    await page.getByText("Edit the queue's limits").click()
    const form = page.getByRole('form', { name: 'Limits of default' })
    const concurrency = form.getByLabel('Running at once')
    await concurrency.fill('0')
    await form.getByRole('button', { name: 'Save' }).click()
    const fieldError = page.locator('#queue-limits-groups-concurrency-error')
    await expect.poll(() => fieldError.textContent()).toMatch(/>= 1/)
    expect(await concurrency.getAttribute('aria-invalid')).toBe('true')
    // The refused save (and Chromium's console line about it) is all that may have failed.
    const refused = asAdmin.problems.splice(0)
    expect(refused).toContainEqual(
      expect.stringMatching(/^HTTP 400: .*\/conveyor\/queues\/default\/limits$/),
    )
    expect(refused.filter((p) => !p.includes('400'))).toEqual([])

    await concurrency.fill('3')
    await form.locator('fieldset').first().getByLabel('Starts at most').fill('100')
    await form.locator('fieldset').first().getByLabel('per window of (ms)').fill('1000')
    await form.getByRole('button', { name: 'Save' }).click()
    await until(async () => {
      const { json } = await admin('GET', '/queues/default/limits')
      return (
        JSON.stringify(json) ===
        JSON.stringify({ rate: { max: 100, perMs: 1000 }, groups: { concurrency: 3 } })
      )
    }, 'the limits saved')
    await expect
      .poll(() => page.getByTestId('limits-shown').first().textContent())
      .toContain('at most 100 starts per 1000 ms')
    expect(await fieldError.count()).toBe(0)
  })

  it("lists the groups busiest first and edits one group's override", async () => {
    await paused('default', true)
    for (const [group, n] of [
      ['tenant-a', 1],
      ['tenant-b', 3],
    ] as const) {
      for (let i = 0; i < n; i += 1) {
        const { status } = await admin('POST', '/jobs', {
          ...sms('+15550004005', `${group} ${i}`),
          group,
        })
        expect(status).toBe(202)
      }
    }
    await show('queues/default/limits')
    const rows = page.getByTestId('groups').locator('tbody tr')
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual(['tenant-b', 'tenant-a'])
    expect(await rows.first().locator('td[data-label="queued"]').textContent()).toBe('3')
    await rows.nth(1).getByRole('link', { name: 'tenant-a: limits' }).click()
    await page.getByTestId('group-override').waitFor()
    expect(await page.getByTestId('group-override').textContent()).toContain('No override')
    const form = page.getByRole('form', { name: 'Override of group tenant-a' })
    await form.getByLabel('Running at once').fill('1')
    await form.getByRole('button', { name: 'Save' }).click()
    await until(async () => {
      const { json } = await admin('GET', '/queues/default/groups/tenant-a/limits')
      return JSON.stringify(json) === JSON.stringify({ concurrency: 1 })
    }, 'the override saved')
    await paused('default', false)
    expect(asAdmin.problems).toEqual([])
  })

  it('filters the Queue screen by group: from the groups table, a row, the form; kept on reload', async () => {
    // The jobs enqueued above run first, so that the queued list holds only what is posted here.
    await until(async () => {
      const { json } = await admin<{ queues: { name: string; queued: number }[] }>(
        'GET',
        '/overview',
      )
      return json.queues.find((q) => q.name === 'default')?.queued === 0
    }, 'nothing queued')
    await paused('default', true)
    const post = async (group?: string) => {
      const { status, json } = await admin<{ id: string }>('POST', '/jobs', {
        ...sms('+15550004006', group ?? 'plain'),
        ...(group === undefined ? {} : { group }),
      })
      expect(status).toBe(202)
      return json.id
    }
    const plain = [await post(), await post()]
    const c = [await post('tenant-c'), await post('tenant-c')]
    const d = [await post('tenant-d')]
    const rows = page.locator('tbody tr')
    const shown = async () => ({
      ids: await rows.locator('td[data-label="job"]').allTextContents(),
      groups: await rows.locator('td[data-label="group"]').allTextContents(),
    })

    await show('queues/default/limits')
    await page.getByTestId('groups').getByRole('link', { name: 'tenant-c', exact: true }).click()
    await page.getByRole('heading', { name: 'Queue default' }).waitFor()
    await expect.poll(shown).toEqual({ ids: c, groups: ['tenant-c', 'tenant-c'] })
    expect(page.url()).toContain('group=tenant-c')
    expect(await page.locator('p[role="status"]').textContent()).toContain(
      '2 queued jobs in group tenant-c',
    )
    expect(await seriousViolations(page), 'queue filtered by group').toEqual([])
    await screenshot(page, 'queue-group-filter')

    await page.reload()
    await expect.poll(shown).toEqual({ ids: c, groups: ['tenant-c', 'tenant-c'] })
    expect(await page.getByLabel('Group').inputValue()).toBe('tenant-c')

    await page.getByLabel('Group').fill('tenant-d')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(shown).toEqual({ ids: d, groups: ['tenant-d'] })
    await page.goBack()
    await expect.poll(shown).toEqual({ ids: c, groups: ['tenant-c', 'tenant-c'] })

    // Unfiltered: plain jobs first, then group by group; a row's group filters by it.
    await page.getByRole('link', { name: 'Show every group' }).click()
    await expect.poll(shown).toEqual({
      ids: [...plain, ...c, ...d],
      groups: ['', '', 'tenant-c', 'tenant-c', 'tenant-d'],
    })
    await screenshot(page, 'queue-groups')
    await rows.last().getByRole('link', { name: 'tenant-d' }).click()
    await expect.poll(shown).toEqual({ ids: d, groups: ['tenant-d'] })
    expect(page.url()).toContain('group=tenant-d')
    const overflow = await overflowAt(page, 320, 640)
    expect(overflow, 'queue filtered by group at 320 px').toBeLessThanOrEqual(0)
    await screenshot(page, 'queue-group-filter-320px')
    await page.setViewportSize({ width: 1280, height: 800 })

    // "All matching" keeps to the group filter: tenant-d's job goes, the others stay.
    await page.getByRole('button', { name: 'Cancel all matching' }).click()
    await page.getByText(/^Done: Cancel 1 jobs/).waitFor()
    const state = async (id: string) =>
      (await admin<{ state: string }>('GET', `/jobs/${id}`)).json.state
    expect(await state(d[0] ?? '')).toBe('cancelled')
    for (const id of [...plain, ...c]) expect(await state(id)).toBe('queued')
  })

  it('lists the jobs of a flow waiting on their parents under a waiting tab', async () => {
    const { json } = await admin<{ jobs: Record<string, string> }>('POST', '/flows', {
      jobs: [
        { id: 'parent', ...sms('+15550004007', 'first') },
        { id: 'child', ...sms('+15550004007', 'then'), dependsOn: ['parent'] },
      ],
    })
    await show('queues/default')
    await page.getByRole('link', { name: 'waiting', exact: true }).click()
    await expect
      .poll(() => page.locator('tbody td[data-label="job"]').allTextContents())
      .toEqual([json.jobs.child])
    expect(await page.locator('tbody td[data-label="state"]').textContent()).toContain('waiting')
    expect(page.url()).toContain('state=waiting')
    expect(await seriousViolations(page), 'waiting tab').toEqual([])
    await paused('default', false)
    expect(asAdmin.problems).toEqual([])
  })

  it('a read key sees the limits and flows but no control to change them', async () => {
    const reader = await signIn(browser, ui, READER)
    for (const hash of [
      'queues/default/limits?group=tenant-a',
      `flows/${opened.flow}`,
      `batches/${opened.batch}`,
    ]) {
      await showScreen(reader, `${ui}#/${hash}`)
      const buttons = await reader.page.locator('main button').allTextContents()
      expect(buttons, hash).toEqual(hash.startsWith('queues') ? ['Show its limits'] : [])
    }
    await showScreen(reader, `${ui}#/queues/default/limits`)
    expect(await reader.page.locator('form.limits-form').count()).toBe(0)
    expect(await reader.page.getByTestId('limits-shown').textContent()).toContain(
      'at most 100 starts per 1000 ms',
    )
    await screenshot(reader.page, 'limits-read-key')
    const forced = apiCaller(proxy.url, { authorization: `Bearer ${READER}` })
    expect((await forced('PUT', '/queues/default/limits', {})).status).toBe(403)
    expect(reader.problems).toEqual([])
    await reader.page.context().close()
  })
})

describe('the new screens', () => {
  it('no console error, failed request or CSP violation; axe-clean in both themes; fit 320 px and 200% zoom', async () => {
    const screens: [string, string][] = [
      ['flow', `flows/${opened.flow}`],
      ['flow-lookup', 'flows'],
      ['batch', `batches/${opened.batch}`],
      ['limits', 'queues/default/limits?group=tenant-a'],
      ['queue-group', 'queues/default?state=queued&group=tenant-c'],
    ]
    for (const theme of ['light', 'dark']) {
      await page.evaluate(`localStorage.setItem('conveyor-theme', '${theme}')`)
      await page.reload()
      // The theme button names the theme it switches to, and switches there and back.
      const other = theme === 'dark' ? 'light' : 'dark'
      for (const [from, to] of [
        [theme, other],
        [other, theme],
      ]) {
        const label = from === 'dark' ? 'Light theme' : 'Dark theme'
        await page.getByRole('button', { name: label, exact: true }).click()
        expect(await page.evaluate('document.documentElement.dataset.theme')).toBe(to)
      }
      for (const [name, hash] of screens) {
        await page.setViewportSize({ width: 1280, height: 800 })
        await show(hash)
        expect(await page.evaluate('document.documentElement.dataset.theme')).toBe(theme)
        // Open every closed part, so that axe sees the forms too.
        for (const details of await page.locator('main details:not([open]) > summary').all()) {
          await details.click()
        }
        expect(await seriousViolations(page), `${name} (${theme})`).toEqual([])
        await screenshot(page, `${name}-${theme}`)
        expect(await overflowAt(page, 320, 640), `${name} at 320 px`).toBeLessThanOrEqual(0)
        await screenshot(page, `${name}-${theme}-320px`)
        const zoomed = await overflowAt(page, ZOOM_200.width, ZOOM_200.height)
        expect(zoomed, `${name} at 200% zoom`).toBeLessThanOrEqual(0)
        if (theme === 'light') await screenshot(page, `${name}-200pct`)
      }
    }
    expect(asAdmin.problems).toEqual([])
  })
})
