import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deletePrefix, freePort, uniquePrefix } from '@conveyor/queue-core/testing'
import { servicesEnv } from './service-env.js'
import { Service, until } from './services.js'
import { SmsSink } from './sms-sink.js'

/**
 * The built API and a worker as processes on a test Redis, under a key prefix of their
 * own, with an SMS sink: what a client of the HTTP API (the typed client, the CLI)
 * is tested against. `close()` stops both and removes what they stored.
 */
export async function startSystem(options: {
  redisUrl: string
  apiKeys?: string
  /** more environment for both services */
  env?: Record<string, string>
}) {
  const sms = await SmsSink.start('AC_system', 'token')
  const dataDir = await mkdtemp(join(tmpdir(), 'conveyor-system-'))
  const prefix = uniquePrefix('system')
  const port = await freePort()
  const env = servicesEnv({
    redisUrl: options.redisUrl,
    dataDir,
    sms,
    overrides: {
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      ...(options.apiKeys ? { API_KEYS: options.apiKeys } : {}),
      ...options.env,
    },
  })
  const api = new Service('api', 'api', env)
  const worker = new Service('worker', 'worker', env)
  const url = `http://127.0.0.1:${port}`
  await until(
    async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true,
    'the API to answer',
    30_000,
  )
  await until(() => worker.lines.some((l) => l.includes('worker started')), 'the worker', 30_000)
  return {
    url,
    sms,
    prefix,
    api,
    worker,
    async close() {
      await Promise.all([api.stop(), worker.stop()])
      await sms.close()
      await deletePrefix(options.redisUrl, prefix)
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

export type System = Awaited<ReturnType<typeof startSystem>>
