import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { provideTestRedis } from '@conveyor/queue-core/testing'
import type { TestProject } from 'vitest/node'
import 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  // The process tests run dist/main.js: build it from the current sources, once per run.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  })
  return provideTestRedis(project, 'scheduler')
}
