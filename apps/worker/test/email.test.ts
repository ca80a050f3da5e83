import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Storage } from '@conveyor/service-kit'
import { simpleParser } from 'mailparser'
import nodemailer from 'nodemailer'
import { describe, expect, test } from 'vitest'
import { createHandlers } from '../src/handlers/create-handlers.js'
import { outboxSender, smtpSender, type MailSender } from '../src/mail/transport.js'
import { outboxSmsProvider } from '../src/sms/outbox-provider.js'
import { silentLogger, useHarness, waitForState } from './helpers/harness.js'
import { handJob } from './helpers/job-context.js'
import { startSmtp, type TestSmtp } from './helpers/smtp.js'

const SUBJECT = 'Nhắc nhở định kỳ'
const BODY = 'Đây là email nhắc nhở gửi định kỳ mỗi phút.'
const FROM = 'Conveyor <no-reply@conveyor.local>'

describe('email handler', () => {
  const h = useHarness()

  async function smtp(options?: Parameters<typeof startSmtp>[0]): Promise<TestSmtp> {
    const server = await startSmtp(options)
    h.defer(() => server.close())
    return server
  }

  function toSmtp(server: TestSmtp): MailSender {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      ignoreTLS: true,
    })
    const sender = smtpSender(transport, server.url)
    h.defer(() => Promise.resolve(sender.close()))
    return sender
  }

  async function handlersFor(mail: MailSender) {
    const dir = await h.tempDir()
    const storage = new Storage(dir)
    return createHandlers({
      logger: silentLogger,
      storage,
      mail,
      mailFrom: FROM,
      sms: outboxSmsProvider({ dir: storage.outboxDir('sms'), logger: silentLogger }),
      maxPixels: 1_000_000,
    })
  }

  test('Vietnamese subject and body arrive intact over SMTP, with the HTML alternative', async () => {
    const server = await smtp()
    const { queue } = h.start(await handlersFor(toSmtp(server)))
    const html = `<p>${BODY}</p>`
    const { id } = await queue.enqueue('email', {
      to: 'ban@example.vn',
      subject: SUBJECT,
      body: BODY,
      html,
    })
    const mail = await server.message()
    expect(mail.subject).toBe(SUBJECT)
    expect(mail.text?.trim()).toBe(BODY)
    expect(mail.html).toContain(BODY)
    expect(mail.from?.text).toContain('no-reply@conveyor.local')
    const job = await waitForState(queue, id, ['completed'])
    expect(job.result).toEqual({ messageId: mail.messageId, via: 'smtp' })
  })

  test('without html only the text part is sent', async () => {
    const server = await smtp()
    const { queue } = h.start(await handlersFor(toSmtp(server)))
    await queue.enqueue('email', { to: 'ban@example.vn', subject: SUBJECT, body: BODY })
    const mail = await server.message()
    expect(mail.text?.trim()).toBe(BODY)
    expect(mail.html).toBe(false)
  })

  test('a 550 for the recipient is permanent: dead after one attempt', async () => {
    const server = await smtp({ rejectRecipient: { code: 550, message: 'No such user here' } })
    const { queue } = h.start(await handlersFor(toSmtp(server)))
    const { id } = await queue.enqueue('email', {
      to: 'nobody@example.vn',
      subject: SUBJECT,
      body: BODY,
    })
    const job = await waitForState(queue, id, ['dead', 'retrying', 'completed'])
    expect(job.state).toBe('dead')
    expect(job.attempts).toBe(1)
    expect(job.maxAttempts).toBeGreaterThan(1)
    expect(job.lastError?.code).toBe('permanent_failure')
    expect(job.lastError?.message).toMatch(/550.*No such user here/)
  })

  test('a 451 is temporary: the job is retried', async () => {
    const server = await smtp({ rejectRecipient: { code: 451, message: 'Try again later' } })
    const { queue } = h.start(await handlersFor(toSmtp(server)))
    const { id } = await queue.enqueue('email', {
      to: 'later@example.vn',
      subject: SUBJECT,
      body: BODY,
    })
    const job = await waitForState(queue, id, ['dead', 'retrying', 'completed'])
    expect(job.state).toBe('retrying')
    expect(job.attempts).toBe(1)
    expect(job.lastError?.message).toMatch(/451/)
    expect(job.lastError?.code).not.toBe('permanent_failure')
  })

  test('the dev outbox writes <jobId>.eml that parses back to the same message', async () => {
    const dir = await h.tempDir()
    const storage = new Storage(dir)
    const outbox = storage.outboxDir('email')
    const { queue } = h.start(await handlersFor(outboxSender(outbox)))
    const { id } = await queue.enqueue('email', {
      to: 'ban@example.vn',
      subject: SUBJECT,
      body: BODY,
      html: `<b>${BODY}</b>`,
    })
    const job = await waitForState(queue, id, ['completed', 'dead', 'retrying'])
    expect(job.state).toBe('completed')
    const raw = await readFile(join(outbox, `${id}.eml`))
    // Headers are encoded for 7-bit transport, as they would be on the wire.
    expect(raw.toString('latin1')).toMatch(/^Subject: =\?UTF-8\?/m)
    const mail = await simpleParser(raw)
    expect(mail.subject).toBe(SUBJECT)
    expect(mail.text?.trim()).toBe(BODY)
    expect(mail.html).toContain(`<b>${BODY}</b>`)
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('ban@example.vn')
    expect(job.result).toEqual({ messageId: mail.messageId, via: 'outbox' })
  })

  test('a job already aborted sends nothing', async () => {
    const server = await smtp()
    const handlers = await handlersFor(toSmtp(server))
    const { job, controller } = handJob({ to: 'ban@example.vn', subject: SUBJECT, body: BODY })
    controller.abort(new Error('gave up'))
    await expect(Promise.resolve(handlers.email?.(job))).rejects.toThrow('gave up')
    expect(server.messages).toHaveLength(0)
  })
})
