import { ConveyorError } from '@conveyor/queue-core'

/** What stands in, in an answer, for a value an operator must not see. */
export const REDACTED = '[redacted]'

/** Field paths to hide, per job type; an empty path hides the whole payload. */
export type RedactionRules = ReadonlyMap<string, readonly (readonly string[])[]>

/**
 * Parses REDACT_PAYLOAD_FIELDS: comma-separated `type` (the whole payload) or
 * `type:field.field` entries, e.g. `email:body,sms:message,webhook:headers.authorization`.
 * Throws config_invalid naming the entry for an unknown type or an empty field.
 */
export function parseRedactionRules(entries: readonly string[], types: readonly string[]) {
  const rules = new Map<string, string[][]>()
  for (const entry of entries) {
    const [type = '', path] = entry.split(/:(.*)/s, 2)
    const fields = path === undefined ? [] : path.split('.')
    if (!types.includes(type) || fields.some((f) => f === '')) {
      throw new ConveyorError(
        'config_invalid',
        `api: invalid configuration\n  REDACT_PAYLOAD_FIELDS: "${entry}" is not ` +
          `type[:field.field] with a job type of ${types.join(', ')}`,
      )
    }
    rules.set(type, [...(rules.get(type) ?? []), fields])
  }
  return rules as RedactionRules
}

function hide(value: unknown, fields: readonly string[]): unknown {
  const [field, ...rest] = fields
  if (field === undefined) return REDACTED
  // A list on the way: every item of it has the field.
  if (Array.isArray(value)) return value.map((item) => hide(item, fields))
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, field)) return value
  const record = value as Record<string, unknown>
  return { ...record, [field]: hide(record[field], rest) }
}

/**
 * Whether `text` is found in what an operator may see of a job (its type and redacted
 * payload): a search inside payloads must not answer whether a hidden field holds it.
 */
export function visiblyContains(
  rules: RedactionRules,
  job: { type: string; payload: unknown },
  text: string,
): boolean {
  const seen = JSON.stringify({
    type: job.type,
    payload: redactPayload(rules, job.type, job.payload),
  })
  return seen.includes(text)
}

/**
 * Hides what the job type's rules name, on a copy: the stored job is not changed, and
 * types without rules get their payload back as it is.
 */
export function redactPayload(rules: RedactionRules, type: string, payload: unknown): unknown {
  const paths = rules.get(type)
  if (!paths) return payload
  return paths.reduce((out, fields) => hide(out, fields), payload)
}

function restore(edited: unknown, stored: unknown, fields: readonly string[]): unknown {
  const [field, ...rest] = fields
  if (field === undefined) return edited === REDACTED ? stored : edited
  if (Array.isArray(edited)) {
    const storedItems: unknown[] = Array.isArray(stored) ? stored : []
    return edited.map((item, i) => restore(item, storedItems[i], fields))
  }
  if (edited === null || typeof edited !== 'object' || !Object.hasOwn(edited, field)) return edited
  const record = edited as Record<string, unknown>
  const from =
    stored !== null && typeof stored === 'object' && !Array.isArray(stored)
      ? (stored as Record<string, unknown>)[field]
      : undefined
  return { ...record, [field]: restore(record[field], from, rest) }
}

/**
 * A payload edited from a redacted view (re-enqueue, a schedule's edit) with each
 * hidden field still "[redacted]" given back its stored value, so that an edit of the
 * visible fields does not overwrite the secret ones with the placeholder.
 */
export function restoreHidden(
  rules: RedactionRules,
  type: string,
  edit: { edited: unknown; stored: unknown },
): unknown {
  const paths = rules.get(type)
  if (!paths) return edit.edited
  return paths.reduce((out, fields) => restore(out, edit.stored, fields), edit.edited)
}
