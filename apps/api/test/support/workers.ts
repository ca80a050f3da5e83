import { Worker, type HandlerMap } from '@conveyor/queue-core'
import { jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'

/** Workers a test starts; `closeAll()` in afterEach leaves none running. */
export function workerPool(connection: () => { redisUrl: string; prefix: string }) {
  const running: Worker<ConveyorJobTypes>[] = []
  return {
    start: (queue: string, handlers: HandlerMap<ConveyorJobTypes>): Worker<ConveyorJobTypes> => {
      const { redisUrl, prefix } = connection()
      const worker = new Worker({
        connection: redisUrl,
        registry: jobRegistry,
        queue,
        prefix,
        handlers,
      })
      running.push(worker)
      return worker
    },
    closeAll: async (): Promise<void> => {
      await Promise.all(running.splice(0).map((w) => w.close({ timeoutMs: 5000 })))
    },
  }
}
