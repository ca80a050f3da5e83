import { jobRegistry, splitList } from '@conveyor/service-kit'
import fp from 'fastify-plugin'
import { parseRedactionRules, type RedactionRules } from '../payload-redaction.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** payload fields no answer shows (REDACT_PAYLOAD_FIELDS), per job type */
    redactions: RedactionRules
  }
}

/** Decorates the app with the payload fields to hide from every answer that shows a job. */
export const redactionPlugin = fp<{ fields: string }>(
  (app, options, done) => {
    // Through done(), so that a bad entry fails start-up with its own error.
    try {
      const rules = parseRedactionRules(splitList(options.fields), jobRegistry.names())
      app.decorate('redactions', rules)
      done()
    } catch (err) {
      done(err as Error)
    }
  },
  { name: 'redaction' },
)
