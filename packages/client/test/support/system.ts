import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deletePrefix, freePort, uniquePrefix } from '@conveyor/queue-core/testing'
import { Service, servicesEnv, SmsSink, until } from '@conveyor/test-support'

/** The built API and a worker as processes on the test run's Redis, with an SMS sink. */
export async function startSystem(options: { redisUrl: string; apiKeys?: string }) {
  const sms = await SmsSink.start('AC_client', 'token')
  const dataDir = await mkdtemp(join(tmpdir(), 'conveyor-client-'))
  const prefix = uniquePrefix('client')
  const port = await freePort()
  const env = servicesEnv({
    redisUrl: options.redisUrl,
    dataDir,
    sms,
    overrides: {
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      ...(options.apiKeys ? { API_KEYS: options.apiKeys } : {}),
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
