import type { JobTypeMap } from '@conveyor/queue-core'
import { ConveyorApiError } from './errors.js'
import { segment, type Transport } from './http.js'
import { FLOW_ENDED, followFlow } from './streams.js'
import type {
  CallOptions,
  CreateOptions,
  FlowCreated,
  FlowEvent,
  FlowRequest,
  FlowView,
} from './types.js'

const RECONNECT_MS = 500

/**
 * Flows (README "Workflows"): jobs with `dependsOn` edges forming a DAG, a job running
 * once all its parents completed. Named as queue-core's `Conveyor.flows` names them.
 */
export class FlowsApi<M extends JobTypeMap> {
  constructor(private readonly http: Transport) {}

  /**
   * Creates a flow, all or none (POST /flows): a bad job is a `validation_failed` whose
   * `details` name `/jobs/<i>/<field>`. Every try sends the same Idempotency-Key, so a
   * call whose answer was lost is sent again and gets the first flow back.
   */
  create(flow: FlowRequest<M>, options: CreateOptions = {}): Promise<FlowCreated> {
    return this.http.request<FlowCreated>({
      method: 'POST',
      path: '/flows',
      body: flow,
      ...options,
    })
  }

  /** A flow's state, counts, and each job's state and edges; `flow_not_found` (404). */
  get(flowId: string, options: CallOptions = {}): Promise<FlowView> {
    return this.http.request<FlowView>({
      method: 'GET',
      path: `/flows/${segment(flowId)}`,
      ...options,
    })
  }

  /** Cancels every job of the flow not finished (running ones are stopped); the flow after. */
  cancel(flowId: string, options: CallOptions = {}): Promise<FlowView> {
    return this.http.request<FlowView>({
      method: 'POST',
      path: `/flows/${segment(flowId)}/cancel`,
      ...options,
    })
  }

  /**
   * A flow's progress from its start (GET /flows/:id/events): a `job` event as each job
   * finishes, `flow` events as the flow's state changes, ending once the flow has ended.
   */
  events(flowId: string, options: CallOptions = {}): AsyncGenerator<FlowEvent> {
    return followFlow(this.http, flowId, options)
  }

  /**
   * Resolves with the flow once it is completed, failed or cancelled, following its
   * events (and opening them again when the server ends the stream first, as it does
   * with a quiet flow, or goes away); `onEvent` sees each event once. `timeoutMs`
   * bounds the whole wait (default: none).
   */
  async waitFor(
    flowId: string,
    options: { timeoutMs?: number; signal?: AbortSignal; onEvent?: (e: FlowEvent) => void } = {},
  ): Promise<FlowView> {
    const signals = [options.signal]
    if (options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs))
    const signal = AbortSignal.any(signals.filter((s) => s !== undefined))
    // Each stream starts from the flow's start: what an earlier one reported is skipped.
    const seen = new Set<string>()
    try {
      for (;;) {
        try {
          for await (const event of this.events(flowId, { signal })) {
            const key = JSON.stringify(event)
            if (!seen.has(key)) options.onEvent?.(event)
            seen.add(key)
          }
        } catch (err) {
          const away =
            err instanceof ConveyorApiError && ['network_error', 'timeout'].includes(err.code)
          if (!away || signal.aborted) throw err
        }
        // The stream ended: with the flow, or because the server went away.
        const flow = await this.get(flowId, { signal }).catch((err: unknown) => {
          if (err instanceof ConveyorApiError && err.code === 'network_error') return null
          throw err
        })
        if (flow && FLOW_ENDED.has(flow.state)) return flow
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS))
      }
    } catch (err) {
      if (options.timeoutMs !== undefined && signal.aborted && !options.signal?.aborted) {
        throw new ConveyorApiError({
          code: 'timeout',
          message: `flow ${flowId} did not end within ${options.timeoutMs} ms`,
          cause: err,
        })
      }
      throw err
    }
  }
}
