import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/** Debian's Chromium: the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium'

/** Screenshots for a person to look at (git-ignored). */
export const ARTIFACTS = new URL('../../artifacts/dashboard/', import.meta.url)

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  })
}

/** A page whose console errors, failed requests and CSP violations are collected. */
export interface WatchedPage {
  page: Page
  problems: string[]
}

export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('requestfailed', (r) => {
    // A navigation or a closed event stream aborts requests in flight: not a failure.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') {
      problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`)
    }
  })
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`)
  })
  // Violations are reported to the page as events, whatever the console says.
  await page.addInitScript(`
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI)
    })
  `)
  return { page, problems }
}

let axeSource: string | undefined

interface AxeViolation {
  id: string
  impact: string | null
  nodes: { target: string[] }[]
}

/**
 * Runs axe-core in the page and returns its serious and critical violations. The script
 * goes in through the DevTools protocol, which the page's CSP does not govern (a script
 * tag would be refused, as it should be).
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  axeSource ??= await readFile(
    createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
    'utf8',
  )
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Runtime.evaluate', { expression: axeSource })
  await cdp.detach()
  const violations = await page.evaluate<AxeViolation[]>(`
    axe.run().then((r) => r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    })))
  `)
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

/** CSS px the page is wider than its viewport, once laid out at `width` x `height`. */
export async function overflowAt(page: Page, width: number, height: number): Promise<number> {
  await page.setViewportSize({ width, height })
  return page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  )
}

/** 200% zoom of a 1280 x 800 window lays the page out in these CSS px. */
export const ZOOM_200 = { width: 640, height: 400 } as const

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true })
}

/** A fresh browser context signed in with `key` on the dashboard at `ui`. */
export async function signIn(browser: Browser, ui: string, key: string): Promise<WatchedPage> {
  const context = await browser.newContext()
  context.setDefaultTimeout(10_000)
  const watched = await watchedPage(context)
  await watched.page.goto(ui)
  await watched.page.getByLabel('API key').fill(key)
  await watched.page.getByRole('button', { name: 'Sign in' }).click()
  await watched.page.getByRole('heading', { name: 'Overview' }).waitFor()
  return watched
}

/** Opens a screen and waits until nothing on it is loading any more. */
export async function showScreen(watched: WatchedPage, url: string): Promise<void> {
  const { page } = watched
  await page.goto(url)
  await page.locator('h1').first().waitFor()
  try {
    await page.getByText('Loading…').first().waitFor({ state: 'detached' })
  } catch (err) {
    await screenshot(page, 'stuck')
    throw new Error(`${url} still loading: ${watched.problems.join('; ')}`, { cause: err })
  }
}
