import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import type { HTTPMethods } from 'fastify'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { startTestApp, type TestApp } from './test-app.js'
import { workerPool } from './workers.js'

/**
 * For a test file that needs a redis-server of its own (it counts the keys left
 * behind, or changes the server's settings): starts one for the file, a fresh app on it
 * before each test, and after each test closes the app and the workers it started.
 */
export function usePrivateRedisApp() {
  let server: RedisServerHandle | undefined
  let app: TestApp | undefined
  const current = (): TestApp => {
    if (!app) throw new Error('usePrivateRedisApp: the app exists only inside a test')
    return app
  }
  const workers = workerPool(current)
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server?.stop()
  })
  beforeEach(async () => {
    if (!server) throw new Error('usePrivateRedisApp: the redis-server did not start')
    app = await startTestApp({ REDIS_URL: server.url })
  })
  afterEach(async () => {
    await workers.closeAll()
    await app?.close()
    app = undefined
  })
  return {
    get t(): TestApp {
      return current()
    },
    workers,
    /** One request through inject; an empty body reads as null. */
    async call<B = unknown>(method: HTTPMethods, url: string, payload?: object) {
      const res = await current().app.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload }),
      })
      return { status: res.statusCode, body: (res.body === '' ? null : res.json()) as B }
    },
  }
}
