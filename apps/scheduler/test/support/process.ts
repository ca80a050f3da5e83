import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { redisUrl } from './harness.js'

// Built by global-setup from the current sources.
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url))

export interface LogLine {
  msg?: string
  [field: string]: unknown
}

/** A scheduler process (`node dist/main.js`) with its JSON log lines and stderr. */
export class SchedulerProcess {
  readonly child: ChildProcess
  readonly lines: LogLine[] = []
  stderr = ''
  readonly exited: Promise<number | null>

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let buffered = ''
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk
      const parts = buffered.split('\n')
      buffered = parts.pop() ?? ''
      for (const part of parts) if (part.trim()) this.lines.push(JSON.parse(part) as LogLine)
    })
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk))
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)))
  }

  logged(msg: string): LogLine[] {
    return this.lines.filter((l) => l.msg === msg)
  }

  /** SIGTERM, then the exit code. */
  async terminate(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM')
    return this.exited
  }
}
