import type { SystemName } from './cli-args.js'

/** What the parent tells a child worker (its configuration comes in argv). */
export type ToChild = { kind: 'go' } | { kind: 'stop' }

/** What a child worker tells the parent. */
export type FromChild =
  | { kind: 'ready' }
  /** jobs whose handler started since the last message */
  | { kind: 'count'; jobs: number }
  | { kind: 'closed'; cpuMicros: number }

export interface ChildConfig {
  system: SystemName
  url: string
  concurrency: number
  retain: boolean
  prefetch: number | undefined
}

export function encodeConfig(c: ChildConfig): string {
  return JSON.stringify(c)
}

export function decodeConfig(raw: string | undefined): ChildConfig {
  if (raw === undefined) throw new Error('child-worker: missing configuration argument')
  return JSON.parse(raw) as ChildConfig
}
