import { LogFormat } from '@conveyor/service-kit'
import Type, { type Static } from 'typebox'

/**
 * The launcher's own settings. The whole environment still passes to the services;
 * the launcher reads these few to start Redis, choose the log format and say where
 * to look once everything is up.
 */
export const LauncherConfig = Type.Object({
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  LAUNCH: Type.String({
    pattern: '^(api|worker|scheduler)(,(api|worker|scheduler))*$',
    default: 'api,worker,scheduler',
    description: 'which services to start',
  }),
  /** passed on to the services as a definite pretty or json */
  LOG_FORMAT: LogFormat,
  /** the API's, to tell where it answers */
  PORT: Type.Integer({ minimum: 0, maximum: 65_535, default: 8080 }),
  /** the worker's: with one set, mail (SMTP) or SMS (a provider) skip the dev outbox */
  SMTP_URL: Type.Optional(Type.String({ minLength: 1 })),
  SMS_PROVIDER: Type.Optional(Type.String({ minLength: 1 })),
})
export type LauncherConfig = Static<typeof LauncherConfig>
