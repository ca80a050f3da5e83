import { SYSTEMS } from './systems/index.js'
import { decodeConfig, type FromChild, type ToChild } from './worker-messages.js'

// A worker process of the "2 processes" variant: readies a consumer, starts on 'go',
// reports handler starts to the parent once per event-loop turn (not once per job,
// so that IPC does not become the bottleneck), and closes on 'stop'.
const config = decodeConfig(process.argv[2])
const send = (m: FromChild): void => void process.send?.(m)

let pending = 0
let scheduled = false
const flush = (): void => {
  scheduled = false
  if (pending > 0) send({ kind: 'count', jobs: pending })
  pending = 0
}

const consumer = await SYSTEMS[config.system].consumer({
  url: config.url,
  retain: config.retain,
  concurrency: config.concurrency,
  prefetch: config.prefetch,
  onJob: () => {
    pending += 1
    if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  },
})

const cpuAtReady = process.cpuUsage()
process.on('message', (m: ToChild) => {
  if (m.kind === 'go') consumer.start()
  else void stop()
})
send({ kind: 'ready' })

async function stop(): Promise<void> {
  await consumer.close()
  const cpu = process.cpuUsage(cpuAtReady)
  const closed: FromChild = { kind: 'closed', cpuMicros: cpu.user + cpu.system }
  // Exit once the message is out: a library's stray timer must not keep the child alive.
  process.send?.(closed, () => process.exit(0))
}
