import { defineConfig } from 'vitest/config'

// Chaos tests start real processes (API, workers, schedulers, Redis) and kill them: one
// file at a time, so that two tests never compete for the two cores. The long form
// (CHAOS_SCALE=long) runs for minutes per test.
const long = process.env.CHAOS_SCALE === 'long'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: long ? 1_800_000 : 150_000,
    hookTimeout: 120_000,
  },
})
