/**
 * No Docker engine runs in CI, so the container files are checked by reading them:
 * every variable docker-compose.yml sets is one the service's config schema knows,
 * workers can scale, Redis persists, and each image runs as non-root under tini.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const root = fileURLToPath(new URL('../../../', import.meta.url))

interface ComposeService {
  build?: { context: string; target: string }
  image?: string
  command?: string[]
  environment?: Record<string, string | number>
  ports?: string[]
  volumes?: string[]
  healthcheck?: { test: string[] }
  container_name?: string
  depends_on?: Record<string, { condition: string }>
  stop_grace_period?: string
}

// merge: the services share their common variables through a YAML merge key (<<).
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>
}
const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8')

/** The variable names an app's config schema declares (exported as `<app>/config`). */
async function configNames(app: 'api' | 'worker' | 'scheduler'): Promise<Set<string>> {
  const mod = (await import(`@conveyor/${app}/config`)) as Record<string, unknown>
  const names = new Set<string>()
  for (const value of Object.values(mod)) {
    const props = (value as { properties?: Record<string, unknown> } | null)?.properties
    if (value && typeof value === 'object' && props)
      for (const name of Object.keys(props)) names.add(name)
  }
  expect(names.size).toBeGreaterThan(0)
  return names
}

describe('docker-compose.yml', () => {
  it.each(['api', 'worker', 'scheduler'] as const)(
    'sets only variables the %s knows',
    async (app) => {
      const service = compose.services[app]
      expect(service?.build?.target).toBe(app)
      const known = await configNames(app)
      const unknown = Object.keys(service?.environment ?? {}).filter((name) => !known.has(name))
      expect(unknown).toEqual([])
      expect(service?.environment?.REDIS_URL).toBe('redis://redis:6379')
      expect(service?.depends_on?.redis?.condition).toBe('service_healthy')
    },
  )

  it('lets workers scale: no container name, no published port', () => {
    const worker = compose.services.worker
    expect(worker?.container_name).toBeUndefined()
    expect(worker?.ports).toBeUndefined()
  })

  it('runs Redis with append-only persistence on a volume, with a health check', () => {
    const redis = compose.services.redis
    expect(redis?.command?.join(' ')).toMatch(/--appendonly yes/)
    expect(redis?.volumes?.some((v) => v.endsWith(':/data'))).toBe(true)
    expect(redis?.healthcheck?.test.join(' ')).toMatch(/ping/)
  })

  it('shares one volume for uploads and the outbox between the API and the workers', () => {
    const mount = (name: string) =>
      compose.services[name]?.volumes?.find((v) => v.endsWith(':/data'))
    expect(mount('api')).toBeDefined()
    expect(mount('scheduler')).toBeUndefined()
    expect(mount('worker')).toBe(mount('api'))
    expect(compose.services.api?.environment?.DATA_DIR).toBe('/data')
    expect(compose.services.worker?.environment?.DATA_DIR).toBe('/data')
  })

  it('gives every service a health check', () => {
    for (const name of ['redis', 'api', 'worker', 'scheduler']) {
      expect(compose.services[name]?.healthcheck?.test.length, name).toBeGreaterThan(0)
    }
  })
})

describe('Dockerfile', () => {
  it('has a target per app, runs as a non-root user under tini, and deploys with pnpm', () => {
    for (const target of ['api', 'worker', 'scheduler'])
      expect(dockerfile).toMatch(new RegExp(`^FROM runtime AS ${target}$`, 'm'))
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/)
    expect(dockerfile).toMatch(/pnpm --filter "@conveyor\/\$app" --prod deploy/)
    expect(dockerfile).toMatch(/npm i -g pnpm@12\.4\.2/)
  })
})
