import { Transform } from 'node:stream'

/** What a conversion stores as its job's progress. */
export interface ConvertProgress {
  stage: string
  percent: number
}

/**
 * Hands progress to the job, a few times per conversion rather than once per chunk:
 * an update is sent when the stage changes or the percentage moved by `step`. Updates
 * go out one after another; a failed one is dropped, because progress is advice and a
 * lost lease reaches the handler through its signal anyway.
 */
export class ProgressReporter {
  private last: ConvertProgress = { stage: '', percent: -1 }
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly send: (value: ConvertProgress) => Promise<void>,
    private readonly step = 5,
  ) {}

  report(stage: string, percent: number): void {
    const value = { stage, percent: Math.max(0, Math.min(100, Math.floor(percent))) }
    const same = value.stage === this.last.stage
    if (same && value.percent < this.last.percent + this.step) return
    this.last = value
    this.chain = this.chain.then(() => this.send(value)).catch(() => undefined)
  }

  /** Resolves once every update reported so far has been stored (or dropped). */
  flush(): Promise<void> {
    return this.chain
  }
}

/**
 * A pass-through stream that tells `onBytes` how many bytes have gone by, so that
 * progress can follow the reading of a file without buffering it.
 */
export function countBytes(onBytes: (total: number) => void): Transform {
  let total = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length
      onBytes(total)
      callback(null, chunk)
    },
  })
}
