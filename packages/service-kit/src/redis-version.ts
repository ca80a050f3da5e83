/** The oldest Redis the queue scripts run on: they use LMPOP, new in 7.0. */
export const MIN_REDIS_VERSION = '7.0.0'

/** `redis_version` from the text of INFO (or INFO server); undefined when absent. */
export function parseRedisVersion(info: string): string | undefined {
  return /^redis_version:([0-9][^\r\n]*)/m.exec(info)?.[1]?.trim()
}

function parts(version: string): number[] {
  return version.split('.').map((p) => Number.parseInt(p, 10) || 0)
}

/** Whether `version` (e.g. "6.2.14") is at least MIN_REDIS_VERSION. */
export function isSupportedRedisVersion(version: string): boolean {
  const have = parts(version)
  const need = parts(MIN_REDIS_VERSION)
  for (let i = 0; i < need.length; i += 1) {
    const a = have[i] ?? 0
    const b = need[i] ?? 0
    if (a !== b) return a > b
  }
  return true
}

/**
 * Asks a connected client for the server's version. Resolves with a message for a
 * person when the server is too old, else null (an unknown version is let through:
 * a Redis-compatible server may not say).
 */
export async function redisVersionProblem(
  client: { info(section: string): Promise<string> },
  where: string,
): Promise<string | null> {
  const version = parseRedisVersion(await client.info('server'))
  if (version === undefined || isSupportedRedisVersion(version)) return null
  return (
    `the Redis at ${where} is version ${version}; Conveyor needs Redis ${MIN_REDIS_VERSION} or ` +
    `newer (its scripts use LMPOP). Upgrade it, or point REDIS_URL at a newer one.`
  )
}
