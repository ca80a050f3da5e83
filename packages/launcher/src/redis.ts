import { spawnSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { Redis } from 'ioredis'

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  })
  probe.on('error', () => undefined)
  try {
    await probe.connect()
    return (await probe.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    probe.disconnect()
  }
}

function isLocal(url: string): boolean {
  const host = new URL(url).hostname
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]'
}

/**
 * The Redis the services will use: the one at `url` if it answers; otherwise, for
 * development on this machine, a private redis-server with append-only persistence
 * under DATA_DIR/redis, so that jobs survive a restart of the launcher.
 */
export async function ensureRedis(
  url: string,
  dataDir: string,
): Promise<{ url: string; server?: RedisServerHandle }> {
  if (await answers(url)) return { url }
  const installed = spawnSync('redis-server', ['--version']).status === 0
  if (!isLocal(url) || !installed) {
    throw new Error(
      `nothing answers at ${url}` +
        (installed ? '' : ' and redis-server is not installed (apt-get install redis-server)'),
    )
  }
  const dir = await mkdir(join(dataDir, 'redis'), { recursive: true }).then(() =>
    join(dataDir, 'redis'),
  )
  const server = await startRedisServer({
    dir,
    args: ['--appendonly', 'yes', '--appendfsync', 'everysec'],
  })
  return { url: server.url, server }
}
