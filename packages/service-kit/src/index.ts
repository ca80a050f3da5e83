export { loadConfig, redactUrl, splitList, type Env } from './env-config.js'
export {
  DATA_FORMATS,
  IMAGE_FORMATS,
  isImageFormat,
  isSupportedConversion,
  normalizeFormat,
  sniffFormat,
  SUPPORTED_CONVERSIONS,
  type FileFormat,
} from './formats.js'
export { jobRegistry, type ConveyorJobTypes } from './job-catalog.js'
export {
  createLogger,
  LogFormat,
  REDACT_PATHS,
  resolveLogFormat,
  type Logger,
  type LoggerOptions,
} from './logger.js'
export { ConditionLog, type Condition } from './condition-log.js'
export { onShutdown } from './shutdown.js'
export { redisOptionsFrom, type RedisConnectionOptions } from './redis-options.js'
export { Storage, UPLOAD_ID, type UploadMeta } from './storage.js'
export { keepHealthFile } from './health-file.js'
export { createRedisClient, type RedisTarget } from './redis-client.js'
export {
  isSupportedRedisVersion,
  MIN_REDIS_VERSION,
  parseRedisVersion,
  redisVersionProblem,
} from './redis-version.js'
