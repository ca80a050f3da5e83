import type { Logger } from 'pino'

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if stop failed or overran
 * graceMs). A second signal while stopping exits at once: an operator who presses
 * Ctrl-C twice means it.
 */
export function onShutdown(options: {
  logger: Logger
  graceMs: number
  stop: () => Promise<void>
}): void {
  let stopping = false
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    options.logger.info({ signal, graceMs: options.graceMs }, 'shutting down')
    const overrun = setTimeout(() => {
      options.logger.error('shutdown overran its grace period: exiting')
      process.exit(1)
    }, options.graceMs + 5_000)
    overrun.unref()
    options.stop().then(
      () => {
        options.logger.info('stopped')
        process.exit(0)
      },
      (err: unknown) => {
        options.logger.error({ err }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', handle)
  process.on('SIGINT', handle)
}
