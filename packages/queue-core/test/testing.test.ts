import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, inject, it } from 'vitest'
import {
  deletePrefix,
  startRedisServer,
  uniquePrefix,
  type RedisServerHandle,
} from '../src/testing/index.js'

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0

async function withClient<T>(url: string, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    return await fn(client)
  } finally {
    client.disconnect()
  }
}

async function refusesConnections(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return false
  } catch {
    return true
  } finally {
    client.disconnect()
  }
}

describe.skipIf(!hasRedisServer)('startRedisServer', () => {
  const started: RedisServerHandle[] = []
  const start = async (args?: string[]): Promise<RedisServerHandle> => {
    const server = await startRedisServer(args ? { args } : {})
    started.push(server)
    return server
  }
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()))
  })

  it('answers PING at its url', async () => {
    const server = await start()
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`)
    expect(await withClient(server.url, (c) => c.ping())).toBe('PONG')
  })

  it('restarts on the same port after SIGKILL', async () => {
    const server = await start()
    const firstPid = server.pid
    await server.kill('SIGKILL')
    expect(await refusesConnections(server.url)).toBe(true)

    await server.restart()
    expect(server.pid).not.toBe(firstPid)
    expect(await withClient(server.url, (c) => c.ping())).toBe('PONG')
  })

  it('keeps data across kill and restart with an fsync-always AOF', async () => {
    const server = await start(['--appendonly', 'yes', '--appendfsync', 'always'])
    await withClient(server.url, (c) => c.set('durable', 'yes'))
    await server.kill('SIGKILL')
    await server.restart()
    expect(await withClient(server.url, (c) => c.get('durable'))).toBe('yes')
  })

  it('refuses to restart a server that is still running', async () => {
    const server = await start()
    await expect(server.restart()).rejects.toThrow(/still running/)
  })

  it('removes its temporary dir on stop', async () => {
    const server = await startRedisServer()
    expect(existsSync(server.dir)).toBe(true)
    await server.stop()
    expect(existsSync(server.dir)).toBe(false)
    expect(await refusesConnections(server.url)).toBe(true)
  })

  it('reports redis-server output when it cannot start', async () => {
    await expect(startRedisServer({ args: ['--no-such-option', 'x'] })).rejects.toThrow(
      /exited with 1 before answering PING[\s\S]*no-such-option/,
    )
  })
})

describe('uniquePrefix', () => {
  it('gives distinct short values', () => {
    const values = Array.from({ length: 1000 }, () => uniquePrefix())
    expect(new Set(values).size).toBe(values.length)
    expect(values[0]).toMatch(/^t-[0-9a-z]{8}-\d+$/)
    expect(uniquePrefix('job')).toMatch(/^job-/)
  })
})

describe('deletePrefix', () => {
  const url = inject('redisUrl')

  it('removes only keys under the prefix', async () => {
    const prefix = uniquePrefix()
    const other = uniquePrefix()
    // More keys than one SCAN COUNT, so several batches are needed.
    const keys = Array.from({ length: 2500 }, (_, i) => `${prefix}:k${i}`)
    const survivors = [`${other}:k0`, `${prefix}0:k0`, `${prefix}-no-colon`]
    await withClient(url, async (c) => {
      await c.mset(...keys.flatMap((key) => [key, '1']), ...survivors.flatMap((k) => [k, '1']))
    })

    expect(await deletePrefix(url, prefix)).toBe(keys.length)

    await withClient(url, async (c) => {
      expect(await c.exists(...keys)).toBe(0)
      expect(await c.exists(...survivors)).toBe(survivors.length)
      await c.unlink(...survivors)
    })
  })

  it('treats glob characters in the prefix literally', async () => {
    const base = uniquePrefix()
    await withClient(url, (c) => c.mset(`${base}-a:k`, '1', `${base}-*:k`, '1'))
    expect(await deletePrefix(url, `${base}-*`)).toBe(1)
    await withClient(url, async (c) => {
      expect(await c.get(`${base}-a:k`)).toBe('1')
      await c.unlink(`${base}-a:k`)
    })
  })
})
