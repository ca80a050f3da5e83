import { ApiFailure } from '../api.js'
import type { GroupLimits, RateLimit } from '../types.js'

/** A form's text, by field path as the API names it in a 400 (`/rate/max`). */
export type FieldValues = Record<string, string>

/** The API's field errors by path, and what no field of the form shows. */
export interface FieldErrors {
  byPath: Record<string, string>
  rest: string[]
}

export const NO_ERRORS: FieldErrors = { byPath: {}, rest: [] }

/** Sorts a failure's field errors onto the fields of a form; the others stay general. */
export function fieldErrors(error: unknown, paths: readonly string[]): FieldErrors {
  if (!(error instanceof ApiFailure)) {
    return { byPath: {}, rest: [error instanceof Error ? error.message : String(error)] }
  }
  const out: FieldErrors = { byPath: {}, rest: [] }
  for (const d of error.details) {
    if (paths.includes(d.path)) out.byPath[d.path] = d.message
    else out.rest.push(`${d.path} ${d.message}`)
  }
  if (error.details.length === 0) out.rest.push(error.message)
  return out
}

const text = (n: number | undefined) => (n === undefined ? '' : String(n))

/** The form's text for a rate and a concurrency under `base` ('' or '/groups'). */
export function toFields(base: string, limits: GroupLimits | undefined): FieldValues {
  return {
    [`${base}/concurrency`]: text(limits?.concurrency),
    ...rateFields(`${base}/rate`, limits?.rate),
  }
}

export function rateFields(base: string, rate: RateLimit | undefined): FieldValues {
  return { [`${base}/max`]: text(rate?.max), [`${base}/perMs`]: text(rate?.perMs) }
}

/**
 * A field's value as the API takes it: a whole number as a number, anything else as
 * typed, so that the API's own validation names what is wrong (one source of rules).
 */
function value(raw: string | undefined): unknown {
  const t = (raw ?? '').trim()
  return /^-?\d+$/.test(t) ? Number(t) : t
}

/** A rate from its two fields; absent when both are empty. */
export function rateOf(values: FieldValues, base: string): unknown {
  const max = values[`${base}/max`]?.trim() ?? ''
  const perMs = values[`${base}/perMs`]?.trim() ?? ''
  if (max === '' && perMs === '') return undefined
  return {
    ...(max === '' ? {} : { max: value(max) }),
    ...(perMs === '' ? {} : { perMs: value(perMs) }),
  }
}

/** Group limits from the fields under `base`; absent when all are empty. */
export function groupLimitsOf(values: FieldValues, base: string): Record<string, unknown> {
  const concurrency = values[`${base}/concurrency`]?.trim() ?? ''
  const rate = rateOf(values, `${base}/rate`)
  return {
    ...(concurrency === '' ? {} : { concurrency: value(concurrency) }),
    ...(rate === undefined ? {} : { rate }),
  }
}

interface FieldProps {
  form: string
  path: string
  label: string
  values: FieldValues
  errors: FieldErrors
  set: (path: string, value: string) => void
}

/** One number field, its API error (if any) shown under it and tied to it. */
export function LimitField({ form, path, label, values, errors, set }: FieldProps) {
  const id = `${form}${path.replace(/\//g, '-')}`
  const error = errors.byPath[path]
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={path}
        inputMode="numeric"
        autoComplete="off"
        value={values[path] ?? ''}
        onInput={(e) => set(path, e.currentTarget.value)}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={error === undefined ? undefined : `${id}-error`}
      />
      {error !== undefined && (
        <span class="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  )
}

/** A rate's two fields under `base`, with an error about the rate as a whole. */
export function RateFieldset(
  props: Omit<FieldProps, 'label' | 'path'> & { base: string; legend: string },
) {
  const { base, legend, errors } = props
  const whole = errors.byPath[base]
  return (
    <fieldset>
      <legend>{legend}</legend>
      <LimitField {...props} path={`${base}/max`} label="Starts at most" />
      <LimitField {...props} path={`${base}/perMs`} label="per window of (ms)" />
      {whole !== undefined && <span class="field-error">{whole}</span>}
      <p class="muted">Leave both empty for no rate.</p>
    </fieldset>
  )
}

/** Every path a group-limits form under `base` shows an error at. */
export function groupPaths(base: string): string[] {
  return [`${base}/concurrency`, `${base}/rate`, `${base}/rate/max`, `${base}/rate/perMs`]
}
