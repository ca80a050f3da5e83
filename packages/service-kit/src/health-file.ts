import { utimes, writeFile } from 'node:fs/promises'

/**
 * For processes that serve no port (the worker, the scheduler): touches `path` every
 * `intervalMs` while `healthy()` says so. A container health check then only has to
 * look at the file's age (see docker-compose.yml), with no client of its own.
 */
export function keepHealthFile(options: {
  path: string
  healthy: () => boolean
  intervalMs?: number
}): () => void {
  const touch = async () => {
    if (!options.healthy()) return
    const now = new Date()
    await utimes(options.path, now, now).catch(() => writeFile(options.path, `${process.pid}\n`))
  }
  void touch().catch(() => undefined)
  const timer = setInterval(() => void touch().catch(() => undefined), options.intervalMs ?? 5_000)
  timer.unref()
  return () => clearInterval(timer)
}
