import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isSupportedRedisVersion, parseRedisVersion, redisVersionProblem } from '../src/index.js'

describe('the Redis version check', () => {
  let server: RedisServerHandle
  let client: Redis
  beforeAll(async () => {
    server = await startRedisServer()
    client = new Redis(server.url)
  })
  afterAll(async () => {
    client.disconnect()
    await server.stop()
  })

  it('lets this machine’s redis-server (7.0 or newer) through', async () => {
    const version = parseRedisVersion(await client.info('server'))
    expect(version).toMatch(/^\d+\.\d+\.\d+/)
    expect(await redisVersionProblem(client, server.url)).toBeNull()
  })

  it('names the version found and the one needed for an older server', async () => {
    // A real INFO reply with the version rewritten: no Redis 6 is installed here.
    const info = (await client.info('server')).replace(
      /redis_version:[^\r\n]+/,
      'redis_version:6.2.14',
    )
    const problem = await redisVersionProblem(
      { info: () => Promise.resolve(info) },
      'redis://db:6379',
    )
    expect(problem).toBe(
      'the Redis at redis://db:6379 is version 6.2.14; Conveyor needs Redis 7.0.0 or newer ' +
        '(its scripts use LMPOP). Upgrade it, or point REDIS_URL at a newer one.',
    )
  })

  it('compares versions part by part', () => {
    expect(isSupportedRedisVersion('7.0.0')).toBe(true)
    expect(isSupportedRedisVersion('7.4.2')).toBe(true)
    expect(isSupportedRedisVersion('10.0.1')).toBe(true)
    expect(isSupportedRedisVersion('6.2.14')).toBe(false)
    expect(isSupportedRedisVersion('5.0')).toBe(false)
  })
})
