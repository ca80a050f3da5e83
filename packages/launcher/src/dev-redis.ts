import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { freePort } from '@conveyor/queue-core/testing'
import { Redis } from 'ioredis'

const READY_TIMEOUT_MS = 10_000

export interface DevRedis {
  url: string
  /** SHUTDOWN (which writes the append-only file) by SIGTERM, and waits for the exit */
  stop(): Promise<void>
  /** for the launcher's 'exit' handler: synchronous */
  kill(): void
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 500,
  })
  probe.on('error', () => undefined)
  try {
    await probe.connect()
    return (await probe.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    probe.disconnect()
  }
}

/**
 * A redis-server for development with its append-only file in `dir`, in a process
 * group of its own: a Ctrl-C in the terminal reaches the launcher only, which stops
 * this Redis last, after the services have finished their jobs with it.
 */
export async function startDevRedis(dir: string): Promise<DevRedis> {
  await mkdir(dir, { recursive: true })
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir]
  const persist = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec']
  const child = spawn('redis-server', [...args, ...persist], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000))
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const url = `redis://127.0.0.1:${port}`
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the private redis-server did not start:\n${output.trim()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM')
      await exited(child)
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}
