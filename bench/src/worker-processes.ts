import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { SystemName } from './cli-args.js'
import { encodeConfig, type FromChild, type ToChild } from './worker-messages.js'

const CHILD = fileURLToPath(new URL('./child-worker.ts', import.meta.url))
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))

export interface WorkerProcessesOptions {
  system: SystemName
  url: string
  processes: number
  concurrency: number
  retain: boolean
  prefetch?: number | undefined
  /** jobs started in some child since the last call */
  onCount: (jobs: number) => void
}

export interface WorkerProcesses {
  start(): void
  /** stops every child; resolves with their total CPU time in µs */
  close(): Promise<number>
}

/**
 * Worker processes (`node --import tsx src/child-worker.ts`), each connected and
 * ready before this resolves, so that start() measures consumption only.
 */
export async function spawnWorkers(o: WorkerProcessesOptions): Promise<WorkerProcesses> {
  const config = encodeConfig({
    system: o.system,
    url: o.url,
    concurrency: o.concurrency,
    retain: o.retain,
    prefetch: o.prefetch,
  })
  const children: ChildProcess[] = []
  const cpu: number[] = []
  const ready: Promise<void>[] = []
  const exited: Promise<void>[] = []
  for (let i = 0; i < o.processes; i++) {
    const child = fork(CHILD, [config], {
      cwd: BENCH_DIR,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    children.push(child)
    exited.push(new Promise((resolve) => child.once('exit', () => resolve())))
    ready.push(
      new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`child worker exited with ${code}`)))
        child.on('message', (m: FromChild) => {
          if (m.kind === 'ready') resolve()
          else if (m.kind === 'count') o.onCount(m.jobs)
          else cpu.push(m.cpuMicros)
        })
      }),
    )
  }
  const send = (m: ToChild): void => {
    for (const c of children) if (c.connected) c.send(m)
  }
  try {
    await Promise.all(ready)
  } catch (err) {
    for (const c of children) c.kill('SIGKILL')
    throw err
  }
  return {
    start: () => send({ kind: 'go' }),
    async close() {
      send({ kind: 'stop' })
      const timer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 20_000)
      await Promise.all(exited)
      clearTimeout(timer)
      return cpu.reduce((a, b) => a + b, 0)
    },
  }
}
