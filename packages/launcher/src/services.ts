import { spawn, type ChildProcess } from 'node:child_process'

export interface ServiceExit {
  name: string
  code: number | null
  signal: NodeJS.Signals | null
}

/** Copies a child's output to ours, each line tagged with the service's name. */
function prefixLines(child: ChildProcess, name: string, write: (line: string) => void): void {
  const tag = `[${name}] `.padEnd(12)
  for (const stream of [child.stdout, child.stderr]) {
    let partial = ''
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) write(`${tag}${line}\n`)
    })
    stream?.on('end', () => partial !== '' && write(`${tag}${partial}\n`))
  }
}

/**
 * The services as child processes. Each runs in a process group of its own, so a
 * Ctrl-C in the terminal reaches the launcher alone, which then asks each service to
 * stop once (SIGTERM): a service never sees two signals for one Ctrl-C.
 */
export class ServiceProcesses {
  private readonly children = new Map<string, ChildProcess>()
  private readonly exits = new Map<string, Promise<ServiceExit>>()

  constructor(private readonly write: (line: string) => void) {}

  /** Starts `node <entry>`; `onExit` hears of its end, expected or not. */
  start(options: {
    name: string
    entry: string
    env: NodeJS.ProcessEnv
    onExit: (exit: ServiceExit) => void
  }): void {
    const { name } = options
    const child = spawn(process.execPath, [options.entry], {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    this.children.set(name, child)
    prefixLines(child, name, this.write)
    const exit = new Promise<ServiceExit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ name, code, signal })),
    )
    this.exits.set(name, exit)
    void exit.then(options.onExit)
  }

  /** Sends `signal` to every service still running; resolves once all have exited. */
  async signalAll(signal: NodeJS.Signals): Promise<ServiceExit[]> {
    for (const child of this.children.values()) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    }
    return Promise.all(this.exits.values())
  }

  /** SIGKILLs whatever still runs: for the launcher's own 'exit', where only sync work is done. */
  killAll(): void {
    for (const child of this.children.values()) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  }
}
