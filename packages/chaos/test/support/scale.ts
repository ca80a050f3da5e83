/**
 * CHAOS_SCALE picks the size of every chaos test: unset is the bounded form that runs
 * in `pnpm test` (the package in a few minutes on a 2-core machine), `long` the
 * on-demand form of `pnpm test:chaos` (minutes per test).
 */
export const LONG = process.env.CHAOS_SCALE === 'long'

export function scaled<T>(ci: T, long: T): T {
  return LONG ? long : ci
}

/** One line per test, on stdout so that vitest shows it: what was tried, what was found. */
export function summary(test: string, figures: Record<string, string | number>): string {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${v}`)
  const line = `[chaos${LONG ? ':long' : ''}] ${test}: ${parts.join(' ')}`
  console.log(line)
  return line
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
