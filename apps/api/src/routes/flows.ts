import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import { ConveyorError, type FlowView } from '@conveyor/queue-core'
import Type from 'typebox'
import { streamFlow } from '../flow-stream.js'
import { answerOnce } from '../idempotent-requests.js'
import { commonErrors, ErrorResponse, keyedErrors } from '../schemas/common.js'
import { FlowCreated, FlowIdParams, FlowInput, FlowViewApi } from '../schemas/flows.js'

const iso = (ms: number) => new Date(ms).toISOString()

/** The flow as the API shows it: times as ISO 8601. */
export function toFlowView(flow: FlowView): FlowViewApi {
  const { createdAt, finishedAt, ...rest } = flow
  const view: FlowViewApi = { ...rest, createdAt: iso(createdAt) }
  if (finishedAt !== undefined) view.finishedAt = iso(finishedAt)
  return view
}

/** Flows: jobs that wait for other jobs, as a DAG. */
export const flowRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const tags = ['flows']
  const { conveyor } = app

  app.post(
    '/flows',
    {
      // 10,000 jobs with small payloads.
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Creates a flow: jobs with dependsOn edges forming a DAG, all or none',
        description:
          'Every job is checked first (no cycle, every dependsOn naming a job of the flow, a ' +
          'registered type, a valid payload; at most 10,000 jobs): a 400 names the job and ' +
          'field (`/jobs/<i>/…`) and nothing is created. Jobs without parents start at once, ' +
          'every other one when all its parents completed; a handler reads its parents’ ' +
          'results. When a parent ends dead its dependents are cancelled, naming it, unless ' +
          'they set continueOnParentFailure. With an Idempotency-Key a retry of the same ' +
          'request answers the first answer (idempotent-replayed: true) and creates nothing.',
        body: FlowInput,
        response: { 202: FlowCreated, ...keyedErrors, ...commonErrors },
      },
    },
    (request, reply) =>
      answerOnce({ request, reply, status: 202, run: () => conveyor.flows.create(request.body) }),
  )

  app.get(
    '/flows/:id',
    {
      schema: {
        tags,
        summary: "A flow: its state, counts, and each job's state and edges (for a graph)",
        params: FlowIdParams,
        response: { 200: FlowViewApi, 404: ErrorResponse, ...commonErrors },
      },
    },
    async (request) => {
      const flow = await conveyor.flows.get(request.params.id)
      if (!flow) return notFound(request.params.id)
      return toFlowView(flow)
    },
  )

  app.post(
    '/flows/:id/cancel',
    {
      schema: {
        tags,
        summary:
          'Cancels every job of the flow not finished; running ones are stopped where they run',
        params: FlowIdParams,
        response: { 200: FlowViewApi, 404: ErrorResponse, ...commonErrors },
      },
    },
    async (request) => {
      await conveyor.flows.cancel(request.params.id)
      const flow = await conveyor.flows.get(request.params.id)
      if (!flow) return notFound(request.params.id)
      return toFlowView(flow)
    },
  )

  app.get(
    '/flows/:id/events',
    {
      schema: {
        tags,
        summary: "A flow's progress as server-sent events, from its start until it ends",
        description:
          '`job` events `{node, job, state, at}` (state: completed, dead, cancelled, retried) ' +
          'and `flow` events `{state, at}`; the stream ends when the flow is completed, ' +
          'failed or cancelled.',
        params: FlowIdParams,
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          404: ErrorResponse,
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      // Looked up first so that an unknown flow is a plain 404, not an empty stream.
      if (!(await conveyor.flows.get(request.params.id))) return notFound(request.params.id)
      await streamFlow({
        reply,
        redis: conveyor.redis,
        prefix: conveyor.prefix,
        flowId: request.params.id,
      })
    },
  )

  function notFound(id: string): never {
    throw new ConveyorError('flow_not_found', `no flow "${id}"`)
  }

  done()
}
