import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, resolveLogFormat } from '../src/index.js'

function capture() {
  const out = new PassThrough()
  let text = ''
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  return { out, text: () => text }
}

describe('createLogger', () => {
  it('writes one JSON object a line by default, credentials redacted', () => {
    const { out, text } = capture()
    const logger = createLogger({ name: 'api', level: 'info', destination: out })
    logger.info({ jobId: 'j1', config: { API_KEYS: 'secret' } }, 'job active')
    const line = JSON.parse(text().trim()) as Record<string, unknown>
    expect(line).toMatchObject({ service: 'api', msg: 'job active', jobId: 'j1', level: 30 })
    expect(text()).not.toContain('secret')
  })

  it('writes one readable line an event when pretty, credentials redacted too', () => {
    const { out, text } = capture()
    const logger = createLogger({
      name: 'worker',
      level: 'info',
      format: 'pretty',
      destination: out,
    })
    logger.info({ jobId: 'j1', state: 'completed', smtp: { pass: 'hunter2' } }, 'job completed')
    logger.warn({ jobId: 'j2' }, 'job failed, will retry')
    const lines = text().trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: job completed /)
    expect(lines[0]).toContain('"jobId":"j1"')
    expect(lines[1]).toMatch(/WARN: job failed, will retry/)
    expect(text()).not.toContain('hunter2')
    expect(text()).not.toMatch(/^\{/m)
  })

  it('auto is pretty on a terminal and JSON otherwise', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty')
    expect(resolveLogFormat('auto', false)).toBe('json')
    expect(resolveLogFormat('json', true)).toBe('json')
    expect(resolveLogFormat('pretty', false)).toBe('pretty')
  })
})
