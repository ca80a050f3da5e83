import { isConveyorError } from '@conveyor/queue-core'
import {
  createLogger,
  loadConfig,
  onShutdown,
  redactUrl,
  redisVersionProblem,
} from '@conveyor/service-kit'
import { startTelemetry, telemetrySettings } from '@conveyor/telemetry'
import { buildApp } from './app.js'
import { ApiConfig } from './config.js'

// Exit codes: 2 = bad configuration (fix the environment), 1 = failed to start.
async function main(): Promise<void> {
  let config: ApiConfig
  try {
    config = loadConfig('api', ApiConfig, process.env)
  } catch (err) {
    if (isConveyorError(err, 'config_invalid')) {
      process.stderr.write(`${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  const logger = createLogger({ name: 'api', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const telemetry = await startTelemetry(telemetrySettings(config, 'conveyor-api'))
  const app = await buildApp(config, { loggerInstance: logger, telemetry })
  if (app.redis.status === 'ready') {
    const problem = await redisVersionProblem(app.redis, redactUrl(config.REDIS_URL))
    if (problem) throw new Error(problem)
  }
  onShutdown({
    logger,
    graceMs: config.SHUTDOWN_GRACE_MS,
    stop: async () => {
      await app.close()
      await telemetry?.shutdown()
    },
  })
  try {
    await app.listen({ port: config.PORT, host: config.HOST })
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EADDRINUSE') throw err
    throw new Error(
      `port ${config.PORT} on ${config.HOST} is taken (another Conveyor API, or another ` +
        'program, listens there): stop it, or set PORT to a free port',
    )
  }
  logger.info(
    {
      redis: redactUrl(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
      dataDir: config.DATA_DIR,
      auth: config.API_KEYS !== '',
      telemetry: telemetry ? 'on' : 'off',
    },
    'api listening',
  )
}

main().catch((err: unknown) => {
  // Configuration checked while the app is built (REDACT_PAYLOAD_FIELDS) exits as loadConfig's does.
  if (isConveyorError(err, 'config_invalid')) {
    process.stderr.write(`${err.message}\n`)
    process.exit(2)
  }
  process.stderr.write(
    `api: failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  )
  process.exit(1)
})
