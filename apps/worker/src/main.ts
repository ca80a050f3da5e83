import { isConveyorError } from '@conveyor/queue-core'
import {
  createLogger,
  jobRegistry,
  keepHealthFile,
  onShutdown,
  redactUrl,
  Storage,
} from '@conveyor/service-kit'
import { instrumentHandlers, startTelemetry, telemetrySettings } from '@conveyor/telemetry'
import { loadWorkerConfig, type WorkerConfig } from './config.js'
import { createHandlers } from './handlers/create-handlers.js'
import { createMailSender } from './mail/transport.js'
import { concurrencyOf, runWorkers } from './run-workers.js'
import { createSmsProvider } from './sms/create-sms-provider.js'

/** Exit status for a configuration a person has to fix; 1 stays for crashes. */
const EXIT_CONFIG = 2

function readConfig(): WorkerConfig | undefined {
  try {
    return loadWorkerConfig(process.env)
  } catch (err) {
    if (!isConveyorError(err, 'config_invalid')) throw err
    process.stderr.write(`${err.message}\n`)
    return undefined
  }
}

async function main(): Promise<void> {
  const config = readConfig()
  if (config === undefined) {
    // Nothing has started, so the process ends by itself with this status.
    process.exitCode = EXIT_CONFIG
    return
  }
  const logger = createLogger({
    name: 'worker',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  })
  const storage = new Storage(config.DATA_DIR)
  const mail = createMailSender({
    smtpUrl: config.SMTP_URL,
    outboxDir: storage.outboxDir('email'),
  })
  const sms = createSmsProvider({ config, outboxDir: storage.outboxDir('sms'), logger })
  const telemetry = await startTelemetry(telemetrySettings(config, 'conveyor-worker'))
  const plain = createHandlers({
    logger,
    storage,
    mail,
    mailFrom: config.MAIL_FROM,
    sms,
    maxPixels: config.CONVERT_MAX_PIXELS,
  })
  // Telemetry off: the handlers themselves, nothing wrapped.
  const handlers = instrumentHandlers(plain, telemetry)
  const running = runWorkers({ config, handlers, logger })
  const { workers } = running
  if (config.HEALTH_FILE !== undefined) {
    keepHealthFile({
      path: config.HEALTH_FILE,
      healthy: () => workers.every((w) => Date.now() - w.lastHeartbeatAt < config.WORKER_LEASE_MS),
    })
  }
  const queues = Object.fromEntries(
    jobRegistry.queues().map((queue) => [queue, { concurrency: concurrencyOf(queue, config) }]),
  )
  logger.info(
    {
      queues,
      redis: redactUrl(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
      dataDir: storage.root,
      mail: mail.target,
      sms: sms.name,
      telemetry: telemetry ? 'on' : 'off',
    },
    'worker started',
  )
  onShutdown({
    logger,
    graceMs: config.SHUTDOWN_GRACE_MS,
    stop: async () => {
      await running.close(config.SHUTDOWN_GRACE_MS)
      mail.close()
      await telemetry?.shutdown()
    },
  })
}

main().catch((err: unknown) => {
  process.stderr.write(
    `worker: failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  )
  process.exit(1)
})
