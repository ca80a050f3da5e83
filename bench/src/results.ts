import type { ScenarioName, SystemName } from './cli-args.js'
import type { CommandStat } from './redis-info.js'
import { summarize, type Summary } from './stats.js'

/** What one row of the table measures; each system gets a cell in that row. */
export interface MetricKey {
  scenario: ScenarioName
  /** the row's label, e.g. "process, concurrency 10: jobs/s" */
  label: string
  unit: string
  better: 'higher' | 'lower'
}

export interface MetricRow extends MetricKey {
  cells: Partial<Record<SystemName, Summary>>
}

/** Redis and Node cost of one system's process runs at concurrency 10, per job. */
export interface CostProfile {
  /** 'small' for the `{i, t}` jobs, else the payload size of the sweep ("10 KB") */
  variant: string
  system: SystemName
  jobs: number
  redisCpuUsPerJob: number
  nodeCpuUsPerJob: number
  commands: { command: string; callsPerJob: number; usecPerJob: number }[]
}

/** Collects every repetition's value and every note, in the order they were first seen. */
export class ResultSet {
  private readonly rows = new Map<string, MetricKey & { runs: Map<SystemName, number[]> }>()
  private readonly totals = new Map<
    string,
    { variant: string; system: SystemName; jobs: number; redisUs: number; nodeUs: number }
  >()
  private readonly commands = new Map<string, Map<string, CommandStat>>()
  readonly notes: string[] = []
  readonly errors: string[] = []

  add(key: MetricKey, system: SystemName, value: number): void {
    const id = `${key.scenario}\u0000${key.label}`
    let row = this.rows.get(id)
    if (!row) {
      row = { ...key, runs: new Map() }
      this.rows.set(id, row)
    }
    const runs = row.runs.get(system) ?? []
    runs.push(value)
    row.runs.set(system, runs)
  }

  addCost(o: {
    variant?: string
    system: SystemName
    jobs: number
    redisUs: number
    nodeUs: number
    commands: Map<string, CommandStat>
  }): void {
    const variant = o.variant ?? 'small'
    const id = `${variant}\u0000${o.system}`
    const t = this.totals.get(id) ?? { variant, system: o.system, jobs: 0, redisUs: 0, nodeUs: 0 }
    this.totals.set(id, {
      ...t,
      jobs: t.jobs + o.jobs,
      redisUs: t.redisUs + o.redisUs,
      nodeUs: t.nodeUs + o.nodeUs,
    })
    const sum = this.commands.get(id) ?? new Map<string, CommandStat>()
    for (const [cmd, s] of o.commands) {
      const prev = sum.get(cmd) ?? { calls: 0, usec: 0 }
      sum.set(cmd, { calls: prev.calls + s.calls, usec: prev.usec + s.usec })
    }
    this.commands.set(id, sum)
  }

  metricRows(): MetricRow[] {
    return [...this.rows.values()].map(({ runs, ...key }) => ({
      ...key,
      cells: Object.fromEntries([...runs].map(([system, values]) => [system, summarize(values)])),
    }))
  }

  costProfiles(): CostProfile[] {
    return [...this.totals].map(([id, t]) => ({
      variant: t.variant,
      system: t.system,
      jobs: t.jobs,
      redisCpuUsPerJob: t.redisUs / t.jobs,
      nodeCpuUsPerJob: t.nodeUs / t.jobs,
      commands: [...(this.commands.get(id) ?? new Map<string, CommandStat>())]
        .map(([command, s]) => ({
          command,
          callsPerJob: s.calls / t.jobs,
          usecPerJob: s.usec / t.jobs,
        }))
        .sort((a, b) => b.usecPerJob - a.usecPerJob),
    }))
  }
}
