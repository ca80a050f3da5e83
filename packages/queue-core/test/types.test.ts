import { describe, expectTypeOf, it } from 'vitest'
import type { JobContext, PayloadOf } from '../src/index.js'
import { harness, type TestTypes } from './support/harness.js'

describe('typed registry', () => {
  it('types payloads per job type at compile time', () => {
    expectTypeOf<PayloadOf<TestTypes, 'sms'>>().toEqualTypeOf<{ phone: string; message: string }>()
    expectTypeOf<PayloadOf<TestTypes, 'email'>>().toHaveProperty('to').toEqualTypeOf<string>()
    const h = harness()
    // Each line below must fail to compile: the test suite's typecheck proves it.
    const check = () => {
      // @ts-expect-error an email payload is not an SMS payload
      void h.queue.enqueue('sms', { to: 'a@b.co', subject: 's', body: 'b' })
      // @ts-expect-error unknown job type
      void h.queue.enqueue('fax', {})
      h.worker({
        handlers: {
          sms: (job) => {
            expectTypeOf(job).toEqualTypeOf<JobContext<{ phone: string; message: string }>>()
          },
        },
      })
    }
    expectTypeOf(check).toBeFunction()
  })
})
