import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { redactUrl, redisVersionProblem } from '@conveyor/service-kit'
import { Redis } from 'ioredis'
import { startDevRedis, type DevRedis } from './dev-redis.js'

/** Connects once, without retries; null when nothing answers. */
async function connectOnce(url: string): Promise<Redis | null> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  })
  probe.on('error', () => undefined)
  try {
    await probe.connect()
    if ((await probe.ping()) === 'PONG') return probe
  } catch {
    // nothing there, or not a Redis
  }
  probe.disconnect()
  return null
}

function isLocal(url: string): boolean {
  const host = new URL(url).hostname
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]'
}

/**
 * The Redis the services will use: the one at `url` if it answers (and is recent
 * enough); otherwise, for development on this machine, a private redis-server with
 * append-only persistence under DATA_DIR/redis, so that jobs survive a restart.
 * Throws an Error whose message tells a person what to do.
 */
export async function ensureRedis(
  url: string,
  dataDir: string,
): Promise<{ url: string; server?: DevRedis }> {
  const client = await connectOnce(url)
  if (client) {
    try {
      const problem = await redisVersionProblem(client, redactUrl(url))
      if (problem) throw new Error(problem)
    } finally {
      client.disconnect()
    }
    return { url }
  }
  const installed = spawnSync('redis-server', ['--version']).status === 0
  if (!isLocal(url) || !installed) {
    throw new Error(
      `nothing answers at ${redactUrl(url)}` +
        (installed
          ? ': start that Redis, or unset REDIS_URL to have a private one started here'
          : ' and redis-server is not installed: install it (Debian/Ubuntu: apt-get install ' +
            'redis-server; macOS: brew install redis) or set REDIS_URL to a running Redis 7+'),
    )
  }
  const server = await startDevRedis(join(dataDir, 'redis'))
  const client2 = await connectOnce(server.url)
  const problem = client2 ? await redisVersionProblem(client2, 'the installed redis-server') : null
  client2?.disconnect()
  if (problem) {
    await server.stop()
    throw new Error(problem)
  }
  return { url: server.url, server }
}
