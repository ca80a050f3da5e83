#!/usr/bin/env node
/**
 * Starts the API, the worker and the scheduler as separate processes against one
 * Redis (starting a private one for development when none answers), prefixes their
 * log lines, and stops them all on Ctrl-C or SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig, redactUrl } from '@conveyor/service-kit'
import { LauncherConfig } from './config.js'
import { ensureRedis } from './redis.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))

function say(message: string): void {
  process.stdout.write(`[launcher] ${message}\n`)
}

function prefixLines(child: ChildProcess, name: string): void {
  const tag = `[${name}] `.padEnd(12)
  for (const stream of [child.stdout, child.stderr]) {
    let partial = ''
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) process.stdout.write(`${tag}${line}\n`)
    })
  }
}

let config: LauncherConfig
try {
  config = loadConfig('launcher', LauncherConfig, process.env)
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(2)
}

const dataDir = resolve(root, config.DATA_DIR ?? 'data')
const redis = await ensureRedis(config.REDIS_URL, dataDir).catch((err: unknown) => {
  process.stderr.write(`[launcher] ${(err as Error).message}\n`)
  process.exit(1)
})
if (redis.server)
  say(
    `nothing answered at ${config.REDIS_URL}; started a private redis-server at ${redis.url} (data in ${dataDir}/redis)`,
  )
else say(`using Redis at ${redactUrl(redis.url)}`)

const children = new Map<string, ChildProcess>()
let stopping = false

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    say('stopping services')
    const exits = [...children.values()].map(
      (child) =>
        new Promise<void>((done) =>
          child.exitCode !== null ? done() : child.once('exit', () => done()),
        ),
    )
    for (const child of children.values()) child.kill('SIGTERM')
    await Promise.all(exits)
    await redis.server?.stop()
  }
  process.exit(code)
}

for (const name of config.LAUNCH.split(',')) {
  const entry = resolve(root, 'apps', name, 'dist', 'main.js')
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, REDIS_URL: redis.url, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.set(name, child)
  prefixLines(child, name)
  child.on('exit', (code, signal) => {
    if (stopping) return
    say(`${name} exited (${signal ?? code}); stopping the others`)
    void stopAll(1)
  })
}
say(`started ${config.LAUNCH}; data in ${dataDir}; Ctrl-C stops everything`)
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))
