/** A job of a flow as the layout needs it: its id in the flow and the ids it waits for. */
export interface LayoutInput {
  node: string
  dependsOn: string[]
}

export interface PlacedNode {
  node: string
  /** the longest chain of parents above it: 0 for a job that waits for none */
  layer: number
  /** its place within its layer, from the left */
  index: number
}

export interface FlowLayout {
  nodes: Map<string, PlacedNode>
  layers: string[][]
  edges: { from: string; to: string }[]
}

/**
 * Lays a DAG out in layers by dependency depth (a job sits one layer below its deepest
 * parent), then orders each layer by the mean place of its parents so that edges cross
 * less. Linear in jobs and edges; an edge to a job not in the flow is left out, and so
 * is any job on a cycle (the API refuses cycles, so that is only defence).
 */
export function layoutFlow(jobs: readonly LayoutInput[]): FlowLayout {
  const known = new Set(jobs.map((j) => j.node))
  const children = new Map<string, string[]>()
  const waiting = new Map<string, number>()
  const edges: { from: string; to: string }[] = []
  for (const job of jobs) {
    const parents = [...new Set(job.dependsOn)].filter((p) => known.has(p))
    waiting.set(job.node, parents.length)
    for (const parent of parents) {
      edges.push({ from: parent, to: job.node })
      const list = children.get(parent) ?? []
      list.push(job.node)
      children.set(parent, list)
    }
  }
  // Kahn's order: a job's layer is final once all its parents have been seen.
  const layerOf = new Map<string, number>()
  const order: string[] = jobs.filter((j) => waiting.get(j.node) === 0).map((j) => j.node)
  for (const root of order) layerOf.set(root, 0)
  for (let i = 0; i < order.length; i += 1) {
    const node = order[i] ?? ''
    const layer = layerOf.get(node) ?? 0
    for (const child of children.get(node) ?? []) {
      layerOf.set(child, Math.max(layerOf.get(child) ?? 0, layer + 1))
      const left = (waiting.get(child) ?? 0) - 1
      waiting.set(child, left)
      if (left === 0) order.push(child)
    }
  }
  const parentsOf = new Map<string, string[]>()
  for (const e of edges) {
    const list = parentsOf.get(e.to) ?? []
    list.push(e.from)
    parentsOf.set(e.to, list)
  }
  const layers: string[][] = []
  const nodes = new Map<string, PlacedNode>()
  for (const node of order) {
    const layer = layerOf.get(node) ?? 0
    ;(layers[layer] ??= []).push(node)
  }
  layers.forEach((members, layer) => {
    const weight = (node: string): number => {
      const places = (parentsOf.get(node) ?? []).map((p) => nodes.get(p)?.index ?? 0)
      return places.length === 0 ? 0 : places.reduce((a, b) => a + b, 0) / places.length
    }
    // Stable: jobs with the same weight keep the order the flow listed them in.
    const sorted = layer === 0 ? members : [...members].sort((a, b) => weight(a) - weight(b))
    layers[layer] = sorted
    sorted.forEach((node, index) => nodes.set(node, { node, layer, index }))
  })
  return {
    nodes,
    layers,
    edges: edges.filter((e) => nodes.has(e.from) && nodes.has(e.to)),
  }
}
