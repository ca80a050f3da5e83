import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { until as pollUntil } from '@conveyor/queue-core/testing'

const APPS = fileURLToPath(new URL('../../../apps/', import.meta.url))

export type AppName = 'api' | 'worker' | 'scheduler'

/** A built app running as its own process, with its log lines kept for assertions. */
export class Service {
  readonly lines: string[] = []
  readonly exited: Promise<number | null>
  /** the signal that ended the process, if one did */
  signal: NodeJS.Signals | null = null
  private readonly child: ChildProcess

  constructor(
    readonly name: string,
    app: AppName,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [`${APPS}${app}/dist/main.js`], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = ''
      stream?.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString('utf8')).split('\n')
        partial = parts.pop() ?? ''
        this.lines.push(...parts)
      })
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.signal = signal
        resolve(code)
      }),
    )
  }

  get pid(): number {
    return this.child.pid ?? -1
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** Log lines parsed as JSON (pino); other lines are skipped. */
  json(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = []
    for (const line of this.lines) {
      if (!line.startsWith('{')) continue
      try {
        out.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        // a line cut by a crash
      }
    }
    return out
  }

  /** Sends a signal and resolves with the exit code (null when killed by the signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child.kill(signal)
    return this.exited
  }

  dump(): string {
    return `--- ${this.name} (pid ${this.pid}, signal ${this.signal ?? '-'}) ---\n${this.lines.slice(-40).join('\n')}`
  }
}

/** queue-core's until, with room for services that start in child processes. */
export function until(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  return pollUntil(predicate, what, timeoutMs)
}
