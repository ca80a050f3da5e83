import { describe, expect, it } from 'vitest'
import { errorFingerprint } from '../src/dead-letter-groups.js'

describe('errorFingerprint', () => {
  it('masks numbers, ids, URLs and quoted values, so one cause makes one group', () => {
    const a = errorFingerprint({
      message: 'POST https://api.example.com/v1/sms?id=9 answered 503 for order 81f3ab2c',
    })
    const b = errorFingerprint({
      message: 'POST http://10.0.0.7:8080/x answered 502 for order 02ab99ff',
    })
    expect(a).toBe(b)
    expect(a).toBe('POST <url> answered <n> for order <id>')
    expect(errorFingerprint({ message: 'no user "ann"' })).toBe(
      errorFingerprint({ message: 'no user "bob"' }),
    )
    expect(
      errorFingerprint({ message: 'job 3f2a1b4c-1111-2222-3333-444455556666 stuck for 30 s' }),
    ).toBe('job <id> stuck for <n> s')
  })

  it('keeps different causes apart, and the code in front', () => {
    expect(errorFingerprint({ message: 'connect ECONNREFUSED 127.0.0.1:25' })).not.toBe(
      errorFingerprint({ message: 'SMS provider answered 503' }),
    )
    expect(errorFingerprint({ code: 'job_timeout', message: 'took over 300 ms' })).toBe(
      '[job_timeout] took over <n> ms',
    )
  })
})
