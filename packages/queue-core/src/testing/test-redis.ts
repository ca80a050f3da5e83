import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { startRedisServer } from './redis-server-process.js'

export type TestRedisSource = 'env' | 'redis-server' | 'testcontainers'

export interface TestRedis {
  url: string
  source: TestRedisSource
  stop(): Promise<void>
}

function redisServerOnPath(): boolean {
  const result = spawnSync('redis-server', ['--version'], { stdio: 'ignore' })
  return result.error === undefined && result.status === 0
}

// A cheap /_ping against the Docker API, so testcontainers (slow to import and
// noisy when it finds no engine) is loaded only when it can actually work.
function dockerAnswers(timeoutMs = 2_000): Promise<boolean> {
  const host = process.env.DOCKER_HOST
  let target: { socketPath: string } | { host: string; port: number }
  if (host?.startsWith('tcp://')) {
    const parsed = new URL(host.replace(/^tcp:/, 'http:'))
    target = { host: parsed.hostname, port: Number(parsed.port || 2375) }
  } else if (host?.startsWith('unix://')) {
    target = { socketPath: host.slice('unix://'.length) }
  } else if (existsSync('/var/run/docker.sock')) {
    target = { socketPath: '/var/run/docker.sock' }
  } else {
    return Promise.resolve(false)
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

/**
 * A Redis for tests: $REDIS_URL if set (never stopped by us), else a private
 * redis-server process, else a redis:7-alpine container via testcontainers.
 */
export async function acquireTestRedis(): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL
  if (fromEnv) {
    return { url: fromEnv, source: 'env', stop: () => Promise.resolve() }
  }

  if (redisServerOnPath()) {
    const server = await startRedisServer()
    return { url: server.url, source: 'redis-server', stop: () => server.stop() }
  }

  if (await dockerAnswers()) {
    // Dynamic: testcontainers is a dev-only dependency, and v10 is the last line
    // that runs on Node 20, so nothing else may load it eagerly.
    const { GenericContainer, Wait } = await import('testcontainers')
    const container = await new GenericContainer('redis:7-alpine')
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .start()
    return {
      url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
      source: 'testcontainers',
      stop: async () => {
        await container.stop()
      },
    }
  }

  throw new Error(
    'No Redis for tests: set REDIS_URL to a Redis you may flush keys in, or install ' +
      'redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), ' +
      'or start a Docker engine so testcontainers can run redis:7-alpine.',
  )
}
