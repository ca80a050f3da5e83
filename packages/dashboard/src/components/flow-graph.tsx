import { layoutFlow } from '../flow-layout.js'
import { href } from '../router.js'
import type { FlowJob } from '../types.js'
import { SYMBOL } from './state-badge.js'

const NODE_W = 172
const NODE_H = 62
const GAP_X = 24
const GAP_Y = 52
/** Node ids and types longer than this are cut on the drawing (the link names them whole). */
const SHOWN = 22

const cut = (text: string) => (text.length > SHOWN ? `${text.slice(0, SHOWN - 1)}…` : text)

/**
 * A flow drawn as inline SVG: one row per layer of dependency depth, each job a link to
 * its page showing its id in the flow, its type and its state (as a symbol and a word,
 * the border's colour only repeating it); edges run from parent to child.
 */
export function FlowGraph({ jobs, types }: { jobs: FlowJob[]; types: Record<string, string> }) {
  const layout = layoutFlow(jobs)
  const byNode = new Map(jobs.map((j) => [j.node, j]))
  const widest = Math.max(1, ...layout.layers.map((l) => l.length))
  const width = widest * (NODE_W + GAP_X) + GAP_X
  const height = layout.layers.length * (NODE_H + GAP_Y) - GAP_Y + 2 * GAP_X
  const at = (node: string) => {
    const placed = layout.nodes.get(node)
    if (!placed) return { x: 0, y: 0 }
    const inLayer = layout.layers[placed.layer]?.length ?? 1
    const left = (width - inLayer * (NODE_W + GAP_X) + GAP_X) / 2
    return { x: left + placed.index * (NODE_W + GAP_X), y: GAP_X + placed.layer * (NODE_H + GAP_Y) }
  }
  return (
    <div class="scroll flow-graph">
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="group"
        aria-label={`Flow graph: ${jobs.length} jobs in ${layout.layers.length} layers`}
      >
        <defs>
          <marker
            id="flow-arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" class="flow-arrow" />
          </marker>
        </defs>
        {layout.edges.map(({ from, to }) => {
          const a = at(from)
          const b = at(to)
          const [x1, y1, x2, y2] = [a.x + NODE_W / 2, a.y + NODE_H, b.x + NODE_W / 2, b.y]
          const mid = (y1 + y2) / 2
          return (
            <path
              key={`${from}>${to}`}
              class="flow-edge"
              d={`M ${x1} ${y1} C ${x1} ${mid}, ${x2} ${mid}, ${x2} ${y2}`}
              marker-end="url(#flow-arrow)"
              data-edge={`${from}>${to}`}
            />
          )
        })}
        {layout.layers.flat().map((node) => {
          const job = byNode.get(node)
          if (!job) return null
          const { x, y } = at(node)
          const type = types[node] ?? '?'
          return (
            // The link's name is its visible text (one <text>, its lines ending in a space
            // so that they read apart); the title names a cut id or type whole.
            <a key={node} href={href(['jobs', job.id])} data-node={node} data-state={job.state}>
              <title>{`${node}: ${type}, ${job.state}`}</title>
              <rect
                x={x}
                y={y}
                width={NODE_W}
                height={NODE_H}
                rx="6"
                class={`flow-node flow-node-${job.state}`}
              />
              <text x={x + 10} y={y + 19}>
                <tspan class="flow-node-id">{`${cut(node)} `}</tspan>
                <tspan x={x + 10} dy="18">{`${cut(type)} `}</tspan>
                <tspan x={x + 10} dy="17">{`${SYMBOL[job.state] ?? '•'} ${job.state}`}</tspan>
              </text>
            </a>
          )
        })}
      </svg>
    </div>
  )
}
