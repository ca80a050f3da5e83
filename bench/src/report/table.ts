import type { SystemName } from '../cli-args.js'
import type { CostProfile, MetricRow } from '../results.js'
import { compact, ratioToBullmq } from './format.js'

const LABEL_WIDTH = 58
const CELL_WIDTH = 27
const TOP_COMMANDS = 8

/**
 * The terminal table: per row and system the median, [min–max] over the repetitions,
 * and the ratio to BullMQ's median (↑ rows: above 1 is better; ↓ rows: below 1 is).
 */
export function renderTable(o: {
  header: string[]
  rows: MetricRow[]
  systems: SystemName[]
  costs: CostProfile[]
  notes: string[]
  errors: string[]
}): string {
  const lines = [...o.header, '']
  const head = 'metric (↑ higher is better, ↓ lower is better)'.padEnd(LABEL_WIDTH)
  lines.push(head + o.systems.map((s) => s.padEnd(CELL_WIDTH)).join(''))
  lines.push('-'.repeat(LABEL_WIDTH + CELL_WIDTH * o.systems.length))
  let scenario = ''
  for (const row of o.rows) {
    if (row.scenario !== scenario && scenario !== '') lines.push('')
    scenario = row.scenario
    const label = `${row.better === 'higher' ? '↑' : '↓'} ${row.label}`
    const cells = o.systems.map((s) => cell(row, s).padEnd(CELL_WIDTH))
    lines.push(label.slice(0, LABEL_WIDTH - 1).padEnd(LABEL_WIDTH) + cells.join(''))
  }
  if (o.costs.length > 0) {
    lines.push(
      '',
      'Where the time goes: process scenario, concurrency 10, per job (INFO commandstats deltas;',
    )
    lines.push("a script's usec includes the commands it runs, so the rows overlap):")
    for (const c of o.costs) {
      lines.push(
        `  ${c.variant === 'small' ? '' : `${c.variant} `}${c.system}: Redis CPU ${c.redisCpuUsPerJob.toFixed(1)} µs/job, Node CPU ${c.nodeCpuUsPerJob.toFixed(1)} µs/job (${c.jobs} jobs)`,
      )
      const top = c.commands.slice(0, TOP_COMMANDS)
      lines.push(
        '    ' +
          top
            .map((x) => `${x.command} ${x.callsPerJob.toFixed(3)}×/${x.usecPerJob.toFixed(1)}µs`)
            .join('  '),
      )
    }
  }
  for (const note of o.notes) lines.push(`note: ${note}`)
  for (const error of o.errors) lines.push(`FAILED: ${error}`)
  return lines.join('\n')
}

function cell(row: MetricRow, system: SystemName): string {
  const s = row.cells[system]
  if (!s) return '–'
  const range = s.runs.length > 1 ? ` [${compact(s.min)}–${compact(s.max)}]` : ''
  const ratio = ratioToBullmq(row, system)
  return `${compact(s.median)}${range}${ratio === undefined ? '' : ` ${ratio.toFixed(2)}x`}`
}
