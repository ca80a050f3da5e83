import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

export interface RedisServerOptions {
  /** Extra redis-server arguments; they come last, so they override the defaults. */
  args?: string[]
  /** Data directory to use (and keep). Without it a temporary one is made and removed on stop(). */
  dir?: string
}

export interface RedisServerHandle {
  url: string
  port: number
  dir: string
  readonly pid: number
  stop(): Promise<void>
  kill(signal?: NodeJS.Signals): Promise<void>
  restart(): Promise<void>
}

const READY_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 10_000
const OUTPUT_TAIL_CHARS = 4_000

// A crashed or interrupted test run must not leave redis-servers behind. Only
// synchronous work is possible in an 'exit' handler, hence SIGKILL.
const running = new Set<ChildProcess>()
const tempDirs = new Set<string>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

/** A TCP port on 127.0.0.1 that was free a moment ago (another process may take it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port found'))))
    })
  })
}

async function answersPing(port: number, pid: number | undefined): Promise<boolean> {
  // No retries and no offline queue: each poll must fail fast, the caller does the looping.
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    // While an AOF is loading Redis answers PING with -LOADING, which rejects here: keep polling.
    if ((await client.ping()) !== 'PONG') return false
    // Another server may have grabbed the port between freePort() and our bind.
    return (await client.info('server')).includes(`process_id:${pid}\r`)
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerHandle> {
  const ownsDir = options.dir === undefined
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'conveyor-redis-')))
  if (ownsDir) tempDirs.add(dir)
  const removeTempDir = async (): Promise<void> => {
    if (!ownsDir) return
    await rm(dir, { recursive: true, force: true })
    tempDirs.delete(dir)
  }
  const extraArgs = options.args ?? []
  let port = 0
  let child: ChildProcess | undefined

  async function launch(): Promise<void> {
    await mkdir(dir, { recursive: true })
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
    const proc = spawn('redis-server', [...args, '--dir', dir, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    running.add(proc)
    let output = ''
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS)
    }
    proc.stdout?.on('data', collect)
    proc.stderr?.on('data', collect)
    let spawnError: Error | undefined
    proc.once('error', (err) => (spawnError = err))
    proc.once('exit', () => running.delete(proc))

    const deadline = Date.now() + READY_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (!isAlive(proc) || spawnError) break
      if (await answersPing(port, proc.pid)) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const alive = isAlive(proc)
    if (alive) proc.kill('SIGKILL')
    await waitForExit(proc)
    const why = spawnError
      ? `could not be spawned (${spawnError.message}); is redis-server on PATH?`
      : alive
        ? `did not answer PING within ${READY_TIMEOUT_MS} ms`
        : `exited with ${proc.exitCode ?? proc.signalCode} before answering PING`
    throw new Error(
      `redis-server on 127.0.0.1:${port} ${why}\n--- redis-server output ---\n${output.trim()}`,
    )
  }

  // The port is released before redis-server binds it, so another process may
  // grab it in between: retry the first start with a fresh port a few times.
  for (let attempt = 1; ; attempt++) {
    port = await freePort()
    try {
      await launch()
      break
    } catch (err) {
      const portTaken = err instanceof Error && /address already in use/i.test(err.message)
      if (!portTaken || attempt >= 3) {
        await removeTempDir()
        throw err
      }
    }
  }

  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (child === undefined || !isAlive(child)) return
    child.kill(signal)
    await waitForExit(child)
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child?.pid ?? -1
    },
    kill,
    async restart() {
      if (child !== undefined && isAlive(child)) {
        throw new Error(
          `redis-server (pid ${child.pid}) is still running; kill() or stop() it first`,
        )
      }
      await launch()
    },
    async stop() {
      if (child !== undefined && isAlive(child)) {
        const proc = child
        const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS)
        try {
          await kill('SIGTERM')
        } finally {
          clearTimeout(timer)
        }
      }
      await removeTempDir()
    },
  }
}
