import { ConveyorError } from '@conveyor/queue-core'
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { loadConfig, redactUrl, splitList } from '../src/index.js'

const Schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  DEBUG: Type.Boolean({ default: false }),
  SMTP_URL: Type.Optional(Type.String()),
})

describe('loadConfig', () => {
  it('fills defaults and converts strings', () => {
    expect(loadConfig('api', Schema, { PORT: '9000', DEBUG: 'true', OTHER: 'x' })).toEqual({
      PORT: 9000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      DEBUG: true,
    })
  })

  it('treats an empty variable as unset', () => {
    expect(loadConfig('api', Schema, { PORT: '', SMTP_URL: '' }).PORT).toBe(8080)
  })

  it('names every bad variable with what it got', () => {
    let err: unknown
    try {
      loadConfig('api', Schema, { PORT: 'eighty', REDIS_URL: 'http://x' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConveyorError)
    const message = (err as ConveyorError).message
    expect(message).toContain('api: invalid configuration')
    expect(message).toMatch(/PORT: .*\(got "eighty"\)/)
    expect(message).toMatch(/REDIS_URL: .*\(got "http:\/\/x"\)/)
  })
})

describe('helpers', () => {
  it('splits lists and hides URL passwords', () => {
    expect(splitList(' a, ,b,')).toEqual(['a', 'b'])
    expect(splitList(undefined)).toEqual([])
    expect(redactUrl('smtp://user:secret@mail:587')).toBe('smtp://user:***@mail:587')
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379')
  })
})
