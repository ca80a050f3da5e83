import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { Storage } from '@conveyor/service-kit'
import { describe, expect, test } from 'vitest'
import { smsHandler } from '../src/handlers/sms.js'
import { outboxSmsProvider } from '../src/sms/outbox-provider.js'
import type { SmsProvider } from '../src/sms/provider.js'
import { twilioSmsProvider } from '../src/sms/twilio-provider.js'
import { silentLogger, useHarness, waitForState } from './helpers/harness.js'

const SID = 'AC0123456789abcdef'
const TOKEN = 's3cr3t-token'
const FROM = '+15005550006'
const MESSAGE = 'Xin chào! Mã xác nhận của bạn là 482913 🎉🇻🇳'

interface SeenRequest {
  method: string | undefined
  path: string | undefined
  authorization: string | undefined
  contentType: string | undefined
  form: URLSearchParams
}

describe('sms', () => {
  const h = useHarness()

  /** A local stand-in for Twilio's Messages API that answers with `reply`. */
  async function fakeTwilio(reply: (res: ServerResponse) => void) {
    const seen: SeenRequest[] = []
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        seen.push({
          method: req.method,
          path: req.url,
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
        })
        reply(res)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    h.defer(() => new Promise((resolve) => server.close(resolve)))
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const provider = twilioSmsProvider({
      apiUrl: `http://127.0.0.1:${port}/`,
      accountSid: SID,
      authToken: TOKEN,
      from: FROM,
    })
    return { seen, provider }
  }

  const json = (status: number, body: unknown) => (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }

  function run(provider: SmsProvider) {
    return h.start({ sms: smsHandler({ sms: provider }) })
  }

  test('twilio: posts the form with Basic auth; Vietnamese and emoji arrive intact', async () => {
    const { seen, provider } = await fakeTwilio(json(201, { sid: 'SM42', status: 'queued' }))
    const { queue } = run(provider)
    const { id } = await queue.enqueue('sms', { phone: '+84912345678', message: MESSAGE })
    const job = await waitForState(queue, id, ['completed', 'dead', 'retrying'])
    expect(job.state).toBe('completed')
    expect(job.result).toEqual({ provider: 'twilio', providerId: 'SM42' })
    expect(seen).toHaveLength(1)
    const [req] = seen
    expect(req?.method).toBe('POST')
    expect(req?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`)
    expect(req?.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`)
    expect(req?.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    expect(req?.form.get('To')).toBe('+84912345678')
    expect(req?.form.get('From')).toBe(FROM)
    expect(req?.form.get('Body')).toBe(MESSAGE)
  })

  test('twilio: a 400 is permanent, with the provider message in the error', async () => {
    const { provider } = await fakeTwilio(
      json(400, { code: 21211, message: "The 'To' number is not a valid phone number." }),
    )
    const { queue } = run(provider)
    const { id } = await queue.enqueue('sms', { phone: '+84912345678', message: MESSAGE })
    const job = await waitForState(queue, id, ['completed', 'dead', 'retrying'])
    expect(job.state).toBe('dead')
    expect(job.attempts).toBe(1)
    expect(job.lastError?.code).toBe('permanent_failure')
    expect(job.lastError?.message).toContain('400')
    expect(job.lastError?.message).toContain('not a valid phone number. (code 21211)')
  })

  test('twilio: a 503 is retried', async () => {
    const { provider } = await fakeTwilio(json(503, { message: 'Service Unavailable' }))
    const { queue } = run(provider)
    const { id } = await queue.enqueue('sms', { phone: '+84912345678', message: MESSAGE })
    const job = await waitForState(queue, id, ['completed', 'dead', 'retrying'])
    expect(job.state).toBe('retrying')
    expect(job.lastError?.message).toContain('503')
  })

  test('twilio: a 429 is retried, not dead-lettered', async () => {
    const { provider } = await fakeTwilio(json(429, { code: 20429, message: 'Too Many Requests' }))
    const { queue } = run(provider)
    const { id } = await queue.enqueue('sms', { phone: '+84912345678', message: MESSAGE })
    const job = await waitForState(queue, id, ['completed', 'dead', 'retrying'])
    expect(job.state).toBe('retrying')
  })

  test('twilio: nobody listening is a network error, retried', async () => {
    const closed = twilioSmsProvider({
      apiUrl: 'http://127.0.0.1:1',
      accountSid: SID,
      authToken: TOKEN,
      from: FROM,
    })
    const { queue } = run(closed)
    const { id } = await queue.enqueue('sms', { phone: '+84912345678', message: MESSAGE })
    const job = await waitForState(queue, id, ['completed', 'dead', 'retrying'])
    expect(job.state).toBe('retrying')
    expect(job.lastError?.message).toMatch(/could not be reached/)
  })

  test('outbox: writes <jobId>.json with to, body and time', async () => {
    const storage = new Storage(await h.tempDir())
    const dir = storage.outboxDir('sms')
    const { queue } = run(outboxSmsProvider({ dir, logger: silentLogger }))
    const before = Date.now()
    const { id } = await queue.enqueue('sms', { phone: '+84912345678', message: MESSAGE })
    const job = await waitForState(queue, id, ['completed', 'dead', 'retrying'])
    expect(job.state).toBe('completed')
    expect(job.result).toEqual({ provider: 'outbox', providerId: `outbox:${id}` })
    const written = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as {
      to: string
      body: string
      at: string
    }
    expect(written.to).toBe('+84912345678')
    expect(written.body).toBe(MESSAGE)
    expect(Date.parse(written.at)).toBeGreaterThanOrEqual(before - 1_000)
  })
})
