import { ConveyorError } from './errors.js'
import type { EnqueueArg, EnqueueReply, QueueScripts } from './scripts.js'

interface Pending {
  arg: EnqueueArg
  resolve: (result: EnqueueReply) => void
  reject: (err: unknown) => void
}

/**
 * Folds single enqueues made in the same turn of the event loop (say, many HTTP
 * requests answered at once) into one enqueue script call. Each caller's promise
 * settles with its own result once the call is stored, so a caller is answered only
 * for a job Redis holds; if the call fails, every caller in it gets the error.
 */
export class EnqueueBatcher {
  private pending: Pending[] = []
  private scheduled = false

  constructor(private readonly scripts: QueueScripts) {}

  add(arg: EnqueueArg): Promise<EnqueueReply> {
    return new Promise((resolve, reject) => {
      this.pending.push({ arg, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => void this.flush())
      }
    })
  }

  private async flush(): Promise<void> {
    this.scheduled = false
    const batch = this.pending
    this.pending = []
    try {
      const results = await this.scripts.enqueue(batch.map((p) => p.arg))
      batch.forEach((p, i) => {
        const result = results[i]
        if (result) p.resolve(result)
        else p.reject(new ConveyorError('internal', 'enqueue returned no result'))
      })
    } catch (err) {
      for (const p of batch) p.reject(err)
    }
  }
}
