import type { TestProject } from 'vitest/node'
import { provideTestRedis } from '../src/testing/index.js'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return provideTestRedis(project, 'queue-core')
}
