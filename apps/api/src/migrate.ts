/**
 * `pnpm --filter @conveyor/api migrate`: converts every queue's jobs stored by release
 * 0.1 (storage v1) and indexes their old ids, then prints one line per queue. The API
 * does the same in the background at every start; this is the way to run it by hand
 * and see it done. Idempotent, and safe while the services run.
 */
import { Conveyor, isConveyorError } from '@conveyor/queue-core'
import { createRedisClient, jobRegistry, loadConfig } from '@conveyor/service-kit'
import { ApiConfig } from './config.js'

let config: ApiConfig
try {
  config = loadConfig('api', ApiConfig, process.env)
} catch (err) {
  if (!isConveyorError(err, 'config_invalid')) throw err
  process.stderr.write(`${err.message}\n`)
  process.exit(2)
}
const redis = createRedisClient({
  url: config.REDIS_URL,
  caFile: config.REDIS_TLS_CA_FILE,
  cluster: config.REDIS_CLUSTER,
})
const conveyor = new Conveyor({
  connection: redis,
  registry: jobRegistry,
  prefix: config.QUEUE_PREFIX,
})
try {
  for (const r of await conveyor.migrate()) {
    process.stdout.write(
      `queue ${r.queue}: converted ${r.converted}, old ids indexed ${r.indexed}, left ${r.left}\n`,
    )
  }
} catch (err) {
  process.stderr.write(`migrate: ${String(err)}\n`)
  process.exitCode = 1
} finally {
  redis.disconnect()
}
