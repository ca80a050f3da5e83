import Type, { type Static } from 'typebox'

/** The launcher's own settings; everything else in the environment passes to the services. */
export const LauncherConfig = Type.Object({
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  LAUNCH: Type.String({
    pattern: '^(api|worker|scheduler)(,(api|worker|scheduler))*$',
    default: 'api,worker,scheduler',
    description: 'which services to start',
  }),
})
export type LauncherConfig = Static<typeof LauncherConfig>
