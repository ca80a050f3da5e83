import { ConveyorError } from '../errors.js'
import { prepareJob } from '../enqueue-prep.js'
import { newLocalId, toJobId } from '../job-id.js'
import type { JobRegistry, JobTypeMap } from '../registry.js'
import { FlowInput } from '../schemas/flow.js'
import { INLINE_SPEC_BYTES } from '../scripts.js'
import { decodeSpec, encodeHead, encodeSpec } from '../spec-codec.js'
import { compileChecker } from '../validation.js'
import type { WaitingJob } from './flow-store.js'

const checkFlow = compileChecker<FlowInput>(FlowInput)

/** One job of a flow, checked and placed. */
export interface FlowNode {
  node: string
  /** `<queue>:<local id>` */
  job: string
  queue: string
  dependsOn: string[]
  children: string[]
  cont: boolean
}

/** A flow checked whole and encoded, nothing written yet. */
export interface PreparedFlow {
  flowId: string
  name: string | undefined
  nodes: FlowNode[]
  roots: string[]
  /** each queue's jobs, as flow-add.lua stores them */
  byQueue: Map<string, WaitingJob[]>
}

function invalid(path: string, message: string): ConveyorError {
  return new ConveyorError('validation_failed', `invalid input: ${path} ${message}`, {
    details: [{ path, message }],
  })
}

/** A cycle among `left` (nodes Kahn's walk could not order), as "a -> b -> a". */
function findCycle(left: Set<string>, parents: Map<string, string[]>): string[] {
  const start = left.values().next().value as string
  const path: string[] = []
  const at = new Map<string, number>()
  let node = start
  while (!at.has(node)) {
    at.set(node, path.length)
    path.push(node)
    node = (parents.get(node) ?? []).find((p) => left.has(p)) ?? start
  }
  return [...path.slice(at.get(node)), node].reverse()
}

/**
 * Checks a flow before anything is written (one bad job creates nothing; errors name
 * `/jobs/<i>/<field>`): its shape, unique ids, every edge naming a job of the flow, no
 * cycle, every type registered and its payload and options valid.
 */
export function prepareFlow<M extends JobTypeMap>(
  registry: JobRegistry<M>,
  input: unknown,
): PreparedFlow {
  const flow = checkFlow.parse(input)
  const flowId = newLocalId()
  const index = new Map<string, number>()
  flow.jobs.forEach((j, i) => {
    if (index.has(j.id)) throw invalid(`/jobs/${i}/id`, `repeats the id "${j.id}"`)
    index.set(j.id, i)
  })
  const parents = new Map<string, string[]>()
  const children = new Map<string, string[]>()
  flow.jobs.forEach((j, i) => {
    const deps = [...new Set(j.dependsOn ?? [])]
    deps.forEach((d) => {
      if (!index.has(d)) {
        const k = (j.dependsOn ?? []).indexOf(d)
        throw invalid(`/jobs/${i}/dependsOn/${k}`, `names no job of the flow: "${d}"`)
      }
    })
    parents.set(j.id, deps)
    for (const d of deps) {
      const list = children.get(d)
      // Pushed in place: a copy per child made a fan-out of n cost n² / 2.
      if (list) list.push(j.id)
      else children.set(d, [j.id])
    }
  })
  // Kahn's walk: whatever it cannot order lies on a cycle or after one.
  const indegree = new Map([...parents].map(([n, ps]) => [n, ps.length]))
  const ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n)
  const roots = [...ready]
  let ordered = 0
  while (ready.length > 0) {
    const n = ready.pop() as string
    ordered += 1
    for (const c of children.get(n) ?? []) {
      const d = (indegree.get(c) ?? 0) - 1
      indegree.set(c, d)
      if (d === 0) ready.push(c)
    }
  }
  if (ordered < flow.jobs.length) {
    const left = new Set([...indegree].filter(([, d]) => d > 0).map(([n]) => n))
    const cycle = findCycle(left, parents)
    const first = cycle[0] ?? ''
    throw invalid(
      `/jobs/${index.get(first) ?? 0}/dependsOn`,
      `forms a cycle: ${cycle.join(' -> ')}`,
    )
  }
  const nodes: FlowNode[] = []
  const byQueue = new Map<string, WaitingJob[]>()
  flow.jobs.forEach((j, i) => {
    const arg = prepareJob(
      registry,
      { type: j.type, payload: j.payload, options: j.options },
      `/jobs/${i}`,
    )
    const spec = decodeSpec(arg.spec)
    spec.flow = flowId
    spec.node = j.id
    const queue = registry.queueOf(j.type)
    let list = byQueue.get(queue)
    if (!list) byQueue.set(queue, (list = []))
    const stored = encodeSpec(spec)
    list.push({
      localId: arg.id,
      spec: stored,
      head: stored.length > INLINE_SPEC_BYTES ? encodeHead(stored) : '',
      priority: arg.priority,
      flowId,
      node: j.id,
    })
    nodes.push({
      node: j.id,
      job: toJobId(queue, arg.id),
      queue,
      dependsOn: parents.get(j.id) ?? [],
      children: children.get(j.id) ?? [],
      cont: j.continueOnParentFailure === true,
    })
  })
  return { flowId, name: flow.name, nodes, roots, byQueue }
}
