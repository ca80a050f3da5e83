import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { splitList } from '@conveyor/service-kit'
import type { Telemetry } from '@conveyor/telemetry'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from './api-error.js'
import type { ApiConfig } from './config.js'
import { auditPlugin } from './plugins/audit.js'
import { authPlugin } from './plugins/auth.js'
import { dashboardPlugin } from './plugins/dashboard.js'
import { docsPlugin } from './plugins/docs.js'
import { errorHandlerPlugin } from './plugins/error-handler.js'
import { eventsPlugin } from './plugins/events.js'
import { idempotencyPlugin } from './plugins/idempotency.js'
import { metricsPlugin } from './plugins/metrics.js'
import { conveyorPlugin } from './plugins/conveyor.js'
import { redactionPlugin } from './plugins/redaction.js'
import { redisPlugin } from './plugins/redis.js'
import { schedulesPlugin } from './plugins/schedules.js'
import { tracingPlugin } from './plugins/tracing.js'
import { dashboardActionRoutes } from './routes/dashboard-actions.js'
import { dashboardReadRoutes } from './routes/dashboard-reads.js'
import { enqueueRoutes } from './routes/enqueue.js'
import { eventRoutes } from './routes/events.js'
import { flowRoutes } from './routes/flows.js'
import { batchRoutes } from './routes/batches.js'
import { healthRoutes } from './routes/health.js'
import { jobRoutes } from './routes/jobs.js'
import { operatorRoutes } from './routes/operator.js'
import { limitRoutes } from './routes/limits.js'
import { groupRoutes } from './routes/groups.js'
import { scheduleRoutes } from './routes/schedules.js'
import { sessionRoutes } from './routes/session.js'
import { uploadRoutes } from './routes/uploads.js'
import { serializerCompiler, validatorCompiler } from './schema-compilers.js'
import { SERVER_OPTIONS } from './server-options.js'

export interface AppOptions {
  config: ApiConfig
  /** OpenTelemetry, when configured: request, enqueue spans and queue metrics */
  telemetry?: Telemetry | undefined
}

/** The whole API as one plugin: services first, then the routes that use them. */
export const apiPlugin = fp<AppOptions>(
  async (app, { config, telemetry }) => {
    app.setValidatorCompiler(validatorCompiler)
    app.setSerializerCompiler(serializerCompiler)
    // Every body is JSON or multipart: a text/plain body answers 415, not a confusing
    // "body must be object".
    app.removeContentTypeParser('text/plain')
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id)
    })

    await app.register(errorHandlerPlugin)
    // Before anything that connects: a bad REDACT_PAYLOAD_FIELDS fails start-up with nothing to close.
    await app.register(redactionPlugin, { fields: config.REDACT_PAYLOAD_FIELDS })
    await app.register(authPlugin, { keys: splitList(config.API_KEYS) })
    await app.register(rateLimit, {
      max: config.RATE_LIMIT_MAX,
      timeWindow: 60_000,
      keyGenerator: (request) => request.apiKeyId ?? request.ip,
      errorResponseBuilder: (_request, context) =>
        new ApiError(429, 'rate_limited', `over ${context.max} requests a minute; retry later`),
    })
    await app.register(multipart, {
      limits: {
        fileSize: config.UPLOAD_MAX_BYTES,
        files: 1,
        fields: 4,
        parts: 5,
        fieldSize: 1024,
        fieldNameSize: 100,
        headerPairs: 100,
      },
    })
    await app.register(redisPlugin, {
      url: config.REDIS_URL,
      caFile: config.REDIS_TLS_CA_FILE,
      cluster: config.REDIS_CLUSTER,
    })
    await app.register(conveyorPlugin, { prefix: config.QUEUE_PREFIX })
    await app.register(schedulesPlugin, { prefix: config.QUEUE_PREFIX })
    await app.register(eventsPlugin, { prefix: config.QUEUE_PREFIX })
    await app.register(auditPlugin, { prefix: config.QUEUE_PREFIX })
    await app.register(idempotencyPlugin)
    await app.register(docsPlugin)
    await app.register(metricsPlugin)
    // Before the routes, so that each one's handler runs inside its request's span.
    if (telemetry) await app.register(tracingPlugin, { telemetry })

    await app.register(healthRoutes, { keyPrefix: config.QUEUE_PREFIX })
    await app.register(enqueueRoutes)
    await app.register(flowRoutes)
    await app.register(batchRoutes)
    await app.register(jobRoutes)
    await app.register(operatorRoutes)
    await app.register(limitRoutes)
    await app.register(groupRoutes)
    await app.register(scheduleRoutes)
    await app.register(eventRoutes)
    await app.register(sessionRoutes)
    await app.register(dashboardReadRoutes)
    await app.register(dashboardActionRoutes, { keyPrefix: config.QUEUE_PREFIX })
    await app.register(dashboardPlugin, { path: config.UI_PATH })
    await app.register(uploadRoutes, {
      dataDir: config.DATA_DIR,
      maxBytes: config.UPLOAD_MAX_BYTES,
      maxPixels: config.CONVERT_MAX_PIXELS,
    })
  },
  { name: 'conveyor-api' },
)

export interface BuildAppOptions {
  /** the process's pino logger; without one the app logs nothing (tests) */
  loggerInstance?: FastifyBaseLogger
  telemetry?: Telemetry | undefined
}

/** Creates a Fastify instance with the API on it, ready for `inject()` or `listen()`. */
export async function buildApp(config: ApiConfig, options: BuildAppOptions = {}) {
  const app = Fastify({
    ...SERVER_OPTIONS,
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: false }),
  }).withTypeProvider<TypeBoxTypeProvider>()
  await app.register(apiPlugin, { config, telemetry: options.telemetry })
  await app.ready()
  return app
}
