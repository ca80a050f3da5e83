import type { HandlerMap, JobTypeMap } from '@conveyor/queue-core'
import type { TelemetrySettings } from './config.js'
import type { TelemetryOverrides } from './sdk.js'
import type { Telemetry } from './telemetry.js'

export {
  parsePairs,
  TelemetryEnv,
  telemetrySettings,
  type Exporter,
  type TelemetrySettings,
} from './config.js'
export { withTraceparent } from './enqueue-options.js'
export { failureOutcome, type AttemptOutcome } from './outcome.js'
export type { TelemetryOverrides } from './sdk.js'
export type { FireInfo, HttpServerSpan, ObservedQueue, Producer, Telemetry } from './telemetry.js'

/**
 * Starts OpenTelemetry for a service, or resolves undefined when `settings` is null
 * (telemetry off): then nothing of the SDK is loaded, and the helpers below leave
 * handlers and queues untouched, so the hot path is what it is without telemetry.
 */
export async function startTelemetry(
  settings: TelemetrySettings | null,
  overrides?: TelemetryOverrides,
): Promise<Telemetry | undefined> {
  if (settings === null) return undefined
  const { startSdk } = await import('./sdk.js')
  return startSdk(settings, overrides)
}

/** The handlers in consumer spans when telemetry is on; the same object when it is off. */
export function instrumentHandlers<M extends JobTypeMap>(
  handlers: HandlerMap<M>,
  telemetry: Telemetry | undefined,
): HandlerMap<M> {
  return telemetry ? telemetry.instrumentHandlers(handlers) : handlers
}
