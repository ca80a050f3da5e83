import { provideTestRedis } from '@conveyor/queue-core/testing'
import type { TestProject } from 'vitest/node'
import 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return provideTestRedis(project, 'client')
}
