import { calendarOf, isConveyorError, type ScheduleFileEntry } from '@conveyor/queue-core'
import {
  createLogger,
  keepHealthFile,
  loadConfig,
  onShutdown,
  redactUrl,
} from '@conveyor/service-kit'
import { startTelemetry, telemetrySettings } from '@conveyor/telemetry'
import { SchedulerConfig } from './config.js'
import { syncFileUntilDone } from './file-sync.js'
import { Scheduler } from './scheduler.js'
import { loadSchedules } from './schedules.js'

// Exit code for a configuration the operator must fix: retrying will not help.
const EXIT_CONFIG = 2
const SHUTDOWN_GRACE_MS = 10_000

async function loadOrExit(): Promise<{
  config: SchedulerConfig
  entries: ScheduleFileEntry[]
} | null> {
  try {
    const config = loadConfig('scheduler', SchedulerConfig, process.env)
    return { config, entries: await loadSchedules(config.SCHEDULES_FILE) }
  } catch (err) {
    if (!isConveyorError(err, 'config_invalid')) throw err
    process.stderr.write(`${err.message}\n`)
    process.exitCode = EXIT_CONFIG
    return null
  }
}

/** The file's schedules with their next fire time, for the start-up line. */
function upcoming(entries: readonly ScheduleFileEntry[], now: number) {
  return entries.map((entry) => {
    const { name, cron, everyMs, timezone } = entry
    const next = calendarOf(entry).nextAfter(now)
    return {
      name,
      ...(cron === undefined ? { everyMs } : { cron, timezone: timezone ?? 'UTC' }),
      nextRun: next === null ? null : new Date(next).toISOString(),
    }
  })
}

async function main(): Promise<void> {
  const loaded = await loadOrExit()
  if (!loaded) return
  const { config, entries } = loaded
  const logger = createLogger({
    name: 'scheduler',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  })
  const telemetry = await startTelemetry(telemetrySettings(config, 'conveyor-scheduler'))
  const scheduler = new Scheduler({
    telemetry,
    redisUrl: config.REDIS_URL,
    redisTlsCaFile: config.REDIS_TLS_CA_FILE,
    redisCluster: config.REDIS_CLUSTER,
    prefix: config.QUEUE_PREFIX,
    leaseMs: config.SCHEDULER_LEASE_MS,
    catchUp: config.SCHEDULER_CATCH_UP,
  })
  scheduler.on('leadership', ({ leader, token, reason }) => {
    if (leader) logger.info({ token }, 'leadership acquired')
    else logger.warn({ token, reason }, 'leadership lost')
  })
  scheduler.on('fire', (e) => {
    const slot = new Date(e.slotMs).toISOString()
    logger.info({ ...e, slotMs: undefined, slot }, 'schedule fired')
  })
  scheduler.on('skip', (e) => {
    logger.info(
      { schedule: e.schedule, slot: new Date(e.slotMs).toISOString() },
      'missed slot skipped',
    )
  })
  scheduler.on('error', (err) => logger.error({ err }, 'scheduler error'))
  if (config.HEALTH_FILE !== undefined) {
    keepHealthFile({ path: config.HEALTH_FILE, healthy: () => scheduler.connected })
  }
  let stopping = false
  onShutdown({
    logger,
    graceMs: SHUTDOWN_GRACE_MS,
    stop: async () => {
      stopping = true
      await scheduler.stop()
      await telemetry?.shutdown()
    },
  })
  logger.info(
    {
      redis: redactUrl(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
      leaseMs: config.SCHEDULER_LEASE_MS,
      catchUp: config.SCHEDULER_CATCH_UP,
      schedules: upcoming(entries, Date.now()),
      telemetry: telemetry ? 'on' : 'off',
    },
    'scheduler started',
  )
  const synced = syncFileUntilDone({
    store: scheduler.store,
    entries,
    stopped: () => stopping,
    onDone: (result) =>
      logger.info({ file: config.SCHEDULES_FILE ?? 'seed', ...result }, 'schedules file stored'),
    onError: (err) => logger.warn({ err }, 'could not store the schedules file yet; retrying'),
  })
  await scheduler.start()
  await synced
}

await main()
