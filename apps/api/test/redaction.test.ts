import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { redactPayload, restoreHidden } from '../src/payload-redaction.js'
import { sseReader } from './support/sse.js'
import { startTestApp, type TestApp } from './support/test-app.js'

const SECRET = 'reset-token-9f2c41'
const mail = { to: 'an@example.com', subject: 'Your reset link', body: `Use ${SECRET} today` }

describe('payload redaction (REDACT_PAYLOAD_FIELDS)', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await startTestApp({ REDACT_PAYLOAD_FIELDS: 'email:body,email:html,sms' })
  })
  afterEach(() => t.close())

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url, ...(payload ? { payload } : {}) })
    return { status: res.statusCode, text: res.body, body: res.json<Record<string, unknown>>() }
  }

  it('hides the fields from every answer that shows the job, and keeps them stored', async () => {
    const posted = await call('POST', '/jobs', { type: 'email', payload: mail })
    expect(posted.status).toBe(202)
    const id = posted.body.id as string

    const job = await call('GET', `/jobs/${id}`)
    expect(job.body.payload).toEqual({ ...mail, body: '[redacted]' })
    expect(job.text).not.toContain(SECRET)
    // The worker still gets what was sent.
    expect((await t.queue('default').getJob(id))?.payload).toEqual(mail)

    for (const url of [
      '/queues/default/jobs?state=queued',
      '/queues/default/browse?state=queued',
    ]) {
      const listed = await call('GET', url)
      expect(listed.status).toBe(200)
      expect(listed.text).toContain(id)
      expect(listed.text).not.toContain(SECRET)
    }

    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const port = (t.app.server.address() as AddressInfo).port
    const controller = new AbortController()
    const res = await fetch(`http://127.0.0.1:${port}/jobs/${id}/events`, {
      signal: controller.signal,
    })
    const first = await sseReader(res.body!).next()
    controller.abort()
    expect(first?.event).toBe('state')
    expect((first?.data as { payload: unknown }).payload).toEqual({ ...mail, body: '[redacted]' })
  })

  it('a payload search does not find text that is only in a hidden field', async () => {
    const posted = await call('POST', '/jobs', { type: 'email', payload: mail })
    const id = posted.body.id as string
    const hidden = await call('GET', `/queues/default/browse?state=queued&text=${SECRET}`)
    expect(hidden.body.jobs).toEqual([])
    const shown = await call('GET', '/queues/default/browse?state=queued&text=reset%20link')
    expect((shown.body.jobs as { id: string }[]).map((j) => j.id)).toEqual([id])
  })

  it('hides a whole payload when the entry names only the type', async () => {
    const posted = await call('POST', '/jobs', {
      type: 'sms',
      payload: { phone: '+84912345678', message: SECRET },
    })
    const job = await call('GET', `/jobs/${posted.body.id as string}`)
    expect(job.body.payload).toBe('[redacted]')
  })

  it('re-enqueue from the redacted view keeps the hidden fields it did not change', async () => {
    const posted = await call('POST', '/jobs', { type: 'email', payload: mail })
    const edited = { ...mail, subject: 'Your new reset link', body: '[redacted]' }
    const copy = await call('POST', `/jobs/${posted.body.id as string}/reenqueue`, {
      payload: edited,
    })
    expect(copy.status).toBe(200)
    expect(copy.body.payload).toEqual(edited)
    const stored = await t.queue('default').getJob(copy.body.id as string)
    expect(stored?.payload).toEqual({ ...mail, subject: 'Your new reset link' })
    // A value typed over the placeholder is taken as it is.
    const replaced = await call('POST', `/jobs/${posted.body.id as string}/reenqueue`, {
      payload: { ...mail, body: 'a new body' },
    })
    const again = await t.queue('default').getJob(replaced.body.id as string)
    expect(again?.payload).toEqual({ ...mail, body: 'a new body' })
  })

  it("shows a schedule's payload redacted, and an edit of it keeps the hidden values", async () => {
    const spec = { everyMs: 60_000, type: 'email', payload: mail }
    const created = await call('PUT', '/schedules/reset-mails', spec)
    expect(created.status).toBe(201)
    expect(created.text).not.toContain(SECRET)
    expect((created.body.spec as { payload: unknown }).payload).toEqual({
      ...mail,
      body: '[redacted]',
    })
    const shownPayload = (created.body.spec as { payload: Record<string, unknown> }).payload
    const patched = await call('PATCH', '/schedules/reset-mails', {
      payload: { ...shownPayload, subject: 'Weekly' },
    })
    expect(patched.status).toBe(200)
    const put = await call('PUT', '/schedules/reset-mails', {
      ...spec,
      everyMs: 120_000,
      payload: { ...shownPayload, subject: 'Every two minutes' },
    })
    expect(put.status).toBe(200)
    const stored = await t.app.schedules.get('reset-mails')
    expect(stored?.spec).toMatchObject({
      everyMs: 120_000,
      payload: { ...mail, subject: 'Every two minutes' },
    })
    expect((await call('GET', '/schedules')).text).not.toContain(SECRET)
  })
})

describe('REDACT_PAYLOAD_FIELDS', () => {
  it('refuses at start-up an entry naming an unknown type or an empty field', async () => {
    for (const fields of ['mail:body', 'email:', 'email:body..x']) {
      await expect(startTestApp({ REDACT_PAYLOAD_FIELDS: fields })).rejects.toMatchObject({
        code: 'config_invalid',
        message: expect.stringContaining(`REDACT_PAYLOAD_FIELDS: "${fields}"`) as unknown,
      })
    }
  })

  it('follows a path through lists, and leaves what it does not name as it is', () => {
    const rules = new Map([['hook', [['headers', 'authorization'], ['attempts']]]])
    const payload = {
      url: 'https://example.com',
      headers: [{ authorization: 'Bearer a', accept: '*/*' }, { accept: 'x' }],
    }
    const shown = redactPayload(rules, 'hook', payload)
    expect(shown).toEqual({
      url: 'https://example.com',
      headers: [{ authorization: '[redacted]', accept: '*/*' }, { accept: 'x' }],
    })
    expect(payload.headers[0]?.authorization).toBe('Bearer a')
    expect(redactPayload(rules, 'other', payload)).toBe(payload)
    expect(restoreHidden(rules, 'hook', { edited: shown, stored: payload })).toEqual(payload)
  })
})
