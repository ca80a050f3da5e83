import type { Cluster } from './cluster.js'
import { sleep } from './scale.js'

/**
 * SIGKILLs a random running worker of the cluster every `everyMs` and starts a
 * replacement, up to `maxKills`, until stopped: the fault the workers-killed tests share.
 * With `startedOnly`, only a worker that logged its start (so runs jobs) is a victim, and
 * a tick that finds none kills nobody: where a worker takes longer to start than the
 * kills are apart, random victims would be mostly processes still loading their modules.
 */
export class WorkerKiller {
  kills = 0
  private running = true
  private readonly loop: Promise<void>

  constructor(
    private readonly cluster: Cluster,
    private readonly options: { everyMs: number; maxKills: number; startedOnly?: boolean },
  ) {
    this.loop = this.run()
  }

  private async run(): Promise<void> {
    const { everyMs, maxKills, startedOnly = false } = this.options
    while (this.running && this.kills < maxKills) {
      await sleep(everyMs)
      if (!this.running) break
      const alive = this.cluster
        .running(this.cluster.workers)
        .filter((w) => !startedOnly || w.lines.some((l) => l.includes('"msg":"worker started"')))
      const victim = alive[Math.floor(Math.random() * alive.length)]
      if (!victim) continue
      const code = await victim.stop('SIGKILL')
      // An exit code means the worker was gone before the signal: not the fault we meant.
      if (code !== null) throw new Error(`${victim.name} exited ${code} before its SIGKILL`)
      this.kills += 1
      this.cluster.startWorker()
    }
  }

  /** Stops killing; resolves with the number of kills (rejects if a kill went wrong). */
  async stop(): Promise<number> {
    this.running = false
    await this.loop
    return this.kills
  }
}
