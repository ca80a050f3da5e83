import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { until } from '@conveyor/test-support'

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url))
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g

/**
 * The built launcher as a user runs it: in a process group of its own (a terminal's
 * foreground job), or with `tty` under util-linux `script`, on a real pseudo-terminal
 * where a typed Ctrl-C is the terminal's own SIGINT.
 */
export class LauncherProcess {
  private readonly child: ChildProcess
  private text = ''
  readonly exited: Promise<number | null>

  constructor(env: Record<string, string>, options: { tty?: boolean } = {}) {
    const fullEnv = { PATH: process.env.PATH ?? '', ...env }
    this.child = options.tty
      ? spawn('script', ['-qfec', `exec ${process.execPath} ${MAIN}`, '/dev/null'], {
          env: { ...fullEnv, TERM: 'xterm' },
          stdio: ['pipe', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, [MAIN], {
          env: fullEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        })
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.on('data', (chunk: Buffer) => (this.text += chunk.toString('utf8')))
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)))
  }

  /** Everything printed so far, colours and carriage returns taken out. */
  get output(): string {
    return this.text.replace(ANSI, '').replace(/\r/g, '')
  }

  lines(tag: string): string[] {
    return this.output.split('\n').filter((l) => l.startsWith(tag))
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    await until(() => pattern.test(this.output), `launcher output ${pattern}`, timeoutMs).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n--- output ---\n${this.output.slice(-4000)}`)
      },
    )
  }

  /** Ctrl-C: SIGINT to the whole foreground group, or the character typed on the terminal. */
  interrupt(): void {
    if (this.child.stdin) this.child.stdin.write('\x03')
    else process.kill(-(this.child.pid ?? 0), 'SIGINT')
  }

  /**
   * Cleanup after a test, even a failed one: asks twice (the second time forces the
   * services down, as a second Ctrl-C does), then SIGKILLs the launcher. A SIGKILL
   * alone would leave its services running: each has a process group of its own.
   */
  async stop(): Promise<void> {
    for (const signal of ['SIGTERM', 'SIGTERM', 'SIGKILL'] as const) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return
      this.child.kill(signal)
      const timeout = new Promise((resolve) => setTimeout(resolve, 5_000).unref())
      await Promise.race([this.exited, timeout])
    }
  }
}
