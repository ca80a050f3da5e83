import { provideTestRedis } from '@conveyor/queue-core/testing'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return provideTestRedis(project, 'scheduler')
}
