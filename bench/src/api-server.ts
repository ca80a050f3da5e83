import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { freePort } from '@conveyor/queue-core/testing'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sleep } from './stats.js'

const API_MAIN = fileURLToPath(new URL('../../apps/api/dist/main.js', import.meta.url))

export interface ApiServer {
  url: string
  /** the API process's id */
  pid: number
  stop(): Promise<void>
}

/**
 * The built Conveyor API as its own process, as it runs in production, with the rate
 * limit lifted so that it does not cap the measurement. `execArgv` goes before the API's
 * entry point (the dashboard scenario swaps in its own job catalog with it).
 */
export async function startApiServer(
  redisUrl: string,
  options: { execArgv?: readonly string[] } = {},
): Promise<ApiServer> {
  const port = await freePort()
  const dataDir = await mkdtemp(join(tmpdir(), 'conveyor-bench-api-'))
  const child = spawn(process.execPath, [...(options.execArgv ?? []), API_MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '1000000000',
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  try {
    await waitHealthy(url, child)
  } catch (err) {
    child.kill('SIGKILL')
    await exited
    await rm(dataDir, { recursive: true, force: true })
    throw err
  }
  return {
    url,
    pid: child.pid ?? Number.NaN,
    async stop() {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${url}/readyz`)).ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error('the API did not become ready within 20 s (is apps/api built? run pnpm build)')
}
