#!/usr/bin/env node
/**
 * Starts the API, the worker and the scheduler as separate processes against one
 * Redis (starting a private one for development when none answers), prefixes their
 * log lines, says where to look once the API answers, and stops them all on Ctrl-C.
 *
 * Exit codes: 0 after a graceful stop in which every service exited 0; 1 when a
 * service failed (to start, or to stop in time) or a second Ctrl-C forced the stop;
 * 2 for a bad configuration.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig, redactUrl, resolveLogFormat } from '@conveyor/service-kit'
import { LauncherConfig } from './config.js'
import { nextSteps, waitForApi } from './next-steps.js'
import { ensureRedis } from './redis.js'
import { ServiceProcesses, type ServiceExit } from './services.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const write = (text: string) => void process.stdout.write(text)
const say = (message: string) => write(`[launcher] ${message}\n`)

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

// The services write into a pipe, so their own `auto` would mean JSON: decide here,
// where the terminal is, and tell them.
const terminal = process.stdout.isTTY
const logFormat = resolveLogFormat(config.LOG_FORMAT, terminal)
const services = new ServiceProcesses(write)
const names = config.LAUNCH.split(',')
let stopping: Promise<void> | null = null
let forced = false

async function stop(reason: string, failed: boolean): Promise<void> {
  say(reason)
  const exits = await services.signalAll('SIGTERM')
  await redis.server?.stop()
  const bad = exits.filter((e) => e.code !== 0)
  for (const e of bad) say(`${e.name} exited with ${e.signal ?? e.code}`)
  if (bad.length === 0 && !failed) say('all services stopped')
  process.exit(forced || failed || bad.length > 0 ? 1 : 0)
}

function onServiceExit(exit: ServiceExit): void {
  if (stopping) return
  stopping = stop(`${exit.name} exited (${exit.signal ?? exit.code}); stopping the others`, true)
}

for (const name of names) {
  services.start({
    name,
    entry: resolve(root, 'apps', name, 'dist', 'main.js'),
    env: {
      ...process.env,
      REDIS_URL: redis.url,
      DATA_DIR: dataDir,
      LOG_FORMAT: logFormat,
      ...(logFormat === 'pretty' && terminal ? { FORCE_COLOR: '1' } : {}),
    },
    onExit: onServiceExit,
  })
}
say(`started ${config.LAUNCH}; data in ${dataDir}; Ctrl-C stops everything`)

// One Ctrl-C: each service is asked once and finishes its running jobs within its
// grace period. Another Ctrl-C while they do: they are killed.
const onSignal = (signal: NodeJS.Signals) => {
  if (!stopping) {
    stopping = stop(`${signal}: stopping the services gracefully (Ctrl-C again to force)`, false)
    return
  }
  if (forced) return
  forced = true
  say(`${signal} again: killing the services`)
  services.killAll()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
process.on('SIGHUP', onSignal)
// However the launcher ends, it leaves no service or Redis of its own behind.
process.on('exit', () => {
  services.killAll()
  redis.server?.kill()
})

if (names.includes('api')) {
  const base = `http://localhost:${config.PORT}`
  if (await waitForApi(base)) {
    if (!stopping) {
      const lines = await nextSteps({
        base,
        dataDir,
        mailOutbox: config.SMTP_URL === undefined,
        smsOutbox: (config.SMS_PROVIDER ?? 'outbox') === 'outbox',
      })
      say(`ready\n${lines.map((l) => `    ${l}`).join('\n')}`)
    }
  } else if (!stopping) {
    say(`the API did not answer at ${base}/healthz yet; see its lines above`)
  }
}
