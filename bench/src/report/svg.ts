import type { SystemName } from '../cli-args.js'
import type { MetricRow } from '../results.js'
import { compact, ratioToBullmq } from './format.js'

const WIDTH = 960
const LEFT = 110
const BAR_MAX = 620
const BAR_H = 16
const GAP = 4
const TITLE_H = 26
const PANEL_PAD = 14
const COLORS: Record<SystemName, string> = {
  conveyor: '#2b7bb9',
  bullmq: '#d9822b',
  'bee-queue': '#3a9e5f',
  naive: '#9a9a9a',
}

/**
 * One panel per table row: a bar per system (the median), a whisker for min–max,
 * and the value with its ratio to BullMQ. Bars in a panel share a scale from zero.
 */
export function renderSvg(o: {
  title: string
  /** lines under the title: the run, the machine, the load */
  subtitle: string[]
  rows: MetricRow[]
  systems: SystemName[]
}): string {
  const parts: string[] = []
  let y = 50 + o.subtitle.length * 16
  for (const row of o.rows) {
    const systems = o.systems.filter((s) => row.cells[s] !== undefined)
    if (systems.length === 0) continue
    const scale = Math.max(...systems.map((s) => row.cells[s]?.max ?? 0)) || 1
    const arrow = row.better === 'higher' ? 'higher is better' : 'lower is better'
    parts.push(
      `<text x="20" y="${y + 16}" class="title">${esc(row.label)} <tspan class="hint">(${arrow})</tspan></text>`,
    )
    let by = y + TITLE_H
    for (const s of systems) {
      const c = row.cells[s]
      if (!c) continue
      const w = (c.median / scale) * BAR_MAX
      const x0 = LEFT + (c.min / scale) * BAR_MAX
      const x1 = LEFT + (c.max / scale) * BAR_MAX
      const mid = by + BAR_H / 2
      const ratio = ratioToBullmq(row, s)
      const label = `${compact(c.median)}${ratio === undefined ? '' : `  (${ratio.toFixed(2)}× BullMQ)`}`
      parts.push(
        `<text x="${LEFT - 8}" y="${mid + 4}" class="sys" text-anchor="end">${s}</text>`,
        `<rect x="${LEFT}" y="${by}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[s]}"/>`,
        `<line x1="${x0.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${mid}" y2="${mid}" class="whisker"/>`,
        `<text x="${(LEFT + Math.max(w, x1 - LEFT) + 6).toFixed(1)}" y="${mid + 4}" class="val">${esc(label)}</text>`,
      )
      by += BAR_H + GAP
    }
    y = by + PANEL_PAD
  }
  const height = y + 20
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    '<style>text{font-family:system-ui,sans-serif;fill:#222}.title{font-size:14px;font-weight:600}',
    '.hint{font-weight:400;fill:#777;font-size:12px}.sys{font-size:12px}.val{font-size:12px}',
    '.whisker{stroke:#222;stroke-width:1.5}.head{font-size:18px;font-weight:700}.sub{font-size:12px;fill:#555}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="20" y="28" class="head">${esc(o.title)}</text>`,
    ...o.subtitle.map(
      (line, k) => `<text x="20" y="${48 + k * 16}" class="sub">${esc(line)}</text>`,
    ),
    ...parts,
    '</svg>',
    '',
  ].join('\n')
}

function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
