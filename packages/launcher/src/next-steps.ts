import { Storage } from '@conveyor/service-kit'

async function status(url: string): Promise<number | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000), redirect: 'manual' })
    await res.body?.cancel()
    return res.status
  } catch {
    return null
  }
}

/** Waits until the API answers /healthz; false if it did not within `timeoutMs`. */
export async function waitForApi(base: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if ((await status(`${base}/healthz`)) === 200) return true
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return false
}

/**
 * What a newcomer looks at next, once the API answers: its URL, the OpenAPI pages,
 * the web UI if this API serves one, where the dev outbox is, and a first command.
 */
export async function nextSteps(options: {
  base: string
  dataDir: string
  /** mail goes to the outbox (no SMTP_URL) */
  mailOutbox: boolean
  /** SMS go to the outbox (SMS_PROVIDER unset or outbox) */
  smsOutbox: boolean
}): Promise<string[]> {
  const { base } = options
  const lines = [`API        ${base}`, `API docs   ${base}/docs`]
  const ui = await status(`${base}/ui`)
  if (ui !== null && ui !== 404) lines.push(`web UI     ${base}/ui`)
  const storage = new Storage(options.dataDir)
  if (options.mailOutbox) lines.push(`mail       ${storage.outboxDir('email')}/*.eml`)
  if (options.smsOutbox) lines.push(`SMS        ${storage.outboxDir('sms')}/*.json`)
  // The CLI's default URL is the API's default one; any other it must be told.
  const cli =
    base === 'http://localhost:8080' ? 'pnpm conveyor' : `CONVEYOR_URL=${base} pnpm conveyor`
  lines.push(
    `try        ${cli} enqueue sms --payload '{"phone":"+84912345678","message":"Xin chào"}' --wait`,
    `           ${cli} stats`,
  )
  return lines
}
