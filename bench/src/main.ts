import { parseArgs, type ScenarioName } from './cli-args.js'
import { describeMachine, loadNow, machineInfo } from './machine-info.js'
import { openRedisTarget } from './redis-target.js'
import { renderSvg } from './report/svg.js'
import { renderTable } from './report/table.js'
import { writeResults } from './report/write-results.js'
import { ResultSet } from './results.js'
import type { ScenarioContext } from './scenarios/context.js'
import { runDashboard } from './scenarios/dashboard.js'
import { runEnqueue } from './scenarios/enqueue.js'
import { runFlows } from './scenarios/flows.js'
import { runGroups } from './scenarios/groups.js'
import { runHttpIngest } from './scenarios/http-ingest.js'
import { runLatency } from './scenarios/latency.js'
import { runMemory } from './scenarios/memory.js'
import { runProcess } from './scenarios/process.js'

const SCENARIOS: Record<ScenarioName, (ctx: ScenarioContext) => Promise<void>> = {
  enqueue: runEnqueue,
  process: runProcess,
  latency: runLatency,
  memory: runMemory,
  http: runHttpIngest,
  groups: runGroups,
  flows: runFlows,
  dashboard: runDashboard,
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const startedAt = new Date()
  const wallStart = performance.now()
  const target = await openRedisTarget({ allowFlush: args.allowFlush })
  const results = new ResultSet()
  const machine = machineInfo(target)
  const log = (line: string): void => void process.stdout.write(`${line}\n`)
  log(`bench: ${describeMachine(machine)}`)
  log(
    `bench: n=${args.n} reps=${args.reps} scenarios=${args.only.join(',')} systems=${args.systems.join(',')}`,
  )
  if (args.conveyorPrefetch !== undefined) {
    results.notes.push(`Conveyor prefetch set to ${args.conveyorPrefetch} (not the default)`)
  }
  const ctx: ScenarioContext = { args, target, results, systems: args.systems, log }
  try {
    // Scenarios run in a fixed order whatever order --only lists them in.
    for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
      if (args.only.includes(name)) await SCENARIOS[name](ctx)
    }
  } finally {
    await target.stop()
  }
  const wallMs = performance.now() - wallStart
  const header = [
    `Conveyor benchmark, ${startedAt.toISOString()}, wall time ${(wallMs / 1000).toFixed(0)} s`,
    `machine: ${describeMachine(machine)}`,
    `n=${args.n}, ${args.reps} repetitions: median [min–max], then the ratio to BullMQ's median`,
    `load average at the end ${loadNow().toFixed(2)} (more than the core count means other work shared the CPU)`,
  ]
  const rows = results.metricRows()
  const costs = results.costProfiles()
  const table = renderTable({
    header,
    rows,
    systems: args.systems,
    costs,
    notes: results.notes,
    errors: results.errors,
  })
  const svg = renderSvg({
    title: 'Conveyor vs BullMQ, Bee-Queue and a naive queue',
    subtitle: header.flatMap((line) => line.split('; ')),
    rows,
    systems: args.systems,
  })
  const files = await writeResults(
    {
      startedAt: startedAt.toISOString(),
      wallMs,
      loadAtEnd: loadNow(),
      machine,
      args,
      rows,
      costs,
      notes: results.notes,
      errors: results.errors,
    },
    svg,
    startedAt,
  )
  log(`\n${table}\n`)
  log(`results: ${files.join(', ')}`)
  if (results.errors.length > 0) process.exitCode = 1
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  )
  process.exit(1)
})
