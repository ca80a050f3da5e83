import { defineConfig } from 'vitest/config'

// End-to-end tests start real processes (API, workers, schedulers, Redis): one file
// at a time, with room for their start-up and the retries they wait for.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
