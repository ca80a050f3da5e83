import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  startRedisCluster,
  startRedisServer,
  readStoredStates,
  type RedisClusterHandle,
  type RedisServerHandle,
} from '@conveyor/queue-core/testing'
import { parseJobId, queueKeys } from '@conveyor/queue-core'
import { Redis, type Cluster as RedisCluster } from 'ioredis'
import {
  freePort,
  Service,
  servicesEnv,
  SmsSink,
  SmtpSink,
  until,
  writeSchedules,
} from '@conveyor/test-support'

export const PREFIX = 'chaos'
export const FINAL = new Set(['completed', 'dead', 'cancelled'])

export interface ClusterOptions {
  /** extra redis-server arguments, e.g. the AOF settings */
  redisArgs?: string[]
  /** run on a three-master Redis Cluster instead of one redis-server (REDIS_CLUSTER=true) */
  redisCluster?: boolean
  /** environment for every app, over the defaults below */
  env?: Record<string, string>
  api?: boolean
  workers?: number
  schedulers?: number
  /** written to SCHEDULES_FILE when given */
  schedules?: unknown[]
  /** start an SMTP sink and send the workers' e-mail to it (else they go to the outbox) */
  smtp?: boolean
}

export interface HttpAnswer {
  status: number
  json: Record<string, unknown>
}

/**
 * The three built apps as separate processes, as the e2e suite runs them: one private
 * redis-server, the fake SMS provider, a temporary data dir. The test holds every
 * process, so it can SIGKILL or SIGTERM any of them and start replacements.
 */
export class Cluster {
  readonly workers: Service[] = []
  readonly schedulers: Service[] = []
  api: Service | undefined
  baseUrl = ''
  private seq = 0

  /** the redis-server; with a Redis Cluster, its first node */
  readonly redis: RedisServerHandle
  private readonly redisCluster: RedisClusterHandle | undefined
  readonly sms: SmsSink
  /** the SMTP sink, when started with `smtp` */
  readonly smtp: SmtpSink | undefined
  readonly dataDir: string
  readonly env: Record<string, string>
  /** a direct client for the checks that read Redis; it reconnects after a Redis restart */
  readonly client: Redis | RedisCluster

  private constructor(parts: {
    redis: RedisServerHandle
    redisCluster: RedisClusterHandle | undefined
    sms: SmsSink
    smtp: SmtpSink | undefined
    dataDir: string
    env: Record<string, string>
    client: Redis | RedisCluster
  }) {
    this.redis = parts.redis
    this.redisCluster = parts.redisCluster
    this.sms = parts.sms
    this.smtp = parts.smtp
    this.dataDir = parts.dataDir
    this.env = parts.env
    this.client = parts.client
  }

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const redisCluster = options.redisCluster ? await startRedisCluster(3) : undefined
    const redis =
      redisCluster?.nodes[0] ?? (await startRedisServer({ args: options.redisArgs ?? [] }))
    const sms = await SmsSink.start('AC_chaos', 'chaos-token')
    const smtp = options.smtp ? await SmtpSink.start() : undefined
    const dataDir = await mkdtemp(join(tmpdir(), 'conveyor-chaos-'))
    const env = servicesEnv({
      redisUrl: redis.url,
      dataDir,
      sms,
      ...(smtp ? { smtpUrl: smtp.url } : {}),
      overrides: {
        QUEUE_PREFIX: PREFIX,
        LOG_LEVEL: 'info',
        WORKER_CONCURRENCY: '4',
        WORKER_LEASE_MS: '2000',
        // Every completed job stays readable for the final count, however many the run makes.
        RETAIN_COMPLETED_COUNT: '0',
        SCHEDULER_LEASE_MS: '1000',
        ...(redisCluster ? { REDIS_CLUSTER: 'true' } : {}),
        ...options.env,
      },
    })
    if (options.schedules) {
      env.SCHEDULES_FILE = await writeSchedules(dataDir, options.schedules)
    }
    const client = redisCluster?.client() ?? new Redis(redis.url, { maxRetriesPerRequest: null })
    client.on('error', () => undefined) // expected while a test has Redis killed
    const cluster = new Cluster({ redis, redisCluster, sms, smtp, dataDir, env, client })
    if (options.api) await cluster.startApi()
    for (let i = 0; i < (options.workers ?? 0); i += 1) cluster.startWorker()
    for (let i = 0; i < (options.schedulers ?? 0); i += 1) cluster.startScheduler()
    return cluster
  }

  async startApi(): Promise<void> {
    const port = await freePort()
    this.baseUrl = `http://127.0.0.1:${port}`
    this.api = new Service('api', 'api', { ...this.env, PORT: String(port) })
    await until(
      async () => (await fetch(`${this.baseUrl}/readyz`).catch(() => null))?.status === 200,
      'the API to be ready',
    )
  }

  startWorker(): Service {
    this.seq += 1
    const worker = new Service(`worker-${this.seq}`, 'worker', this.env)
    this.workers.push(worker)
    return worker
  }

  startScheduler(): Service {
    this.seq += 1
    const scheduler = new Service(`scheduler-${this.seq}`, 'scheduler', this.env)
    this.schedulers.push(scheduler)
    return scheduler
  }

  /**
   * Waits until a service logged its start-up line: only then are its signal handlers
   * installed (a SIGTERM before that ends it by the signal, not by a clean stop).
   */
  async started(service: Service, message = 'worker started'): Promise<void> {
    await until(
      () => service.json().some((l) => l.msg === message) || !service.running,
      `${service.name} to log "${message}"`,
    )
  }

  running(services: Service[]): Service[] {
    return services.filter((s) => s.running)
  }

  async post(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    return { status: res.status, json: (await res.json()) as Record<string, unknown> }
  }

  async get(path: string): Promise<HttpAnswer> {
    const res = await fetch(`${this.baseUrl}${path}`)
    return { status: res.status, json: (await res.json()) as Record<string, unknown> }
  }

  /** Each job id's state as stored in Redis (null: Redis does not know the job). */
  async states(ids: readonly string[], queue = 'default'): Promise<Map<string, string | null>> {
    const local = ids.map((id) => parseJobId(id)?.localId ?? id)
    const stored = await readStoredStates(this.client, queueKeys(PREFIX, queue), local)
    return new Map(ids.map((id, i) => [id, stored.get(local[i] ?? id) ?? null]))
  }

  /** Waits until every id is in a final state or the time is up; returns the last states. */
  async settle(ids: readonly string[], timeoutMs: number): Promise<Map<string, string | null>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const states = await this.states(ids)
      const open = [...states.values()].filter((s) => s === null || !FINAL.has(s)).length
      if (open === 0 || Date.now() > deadline) return states
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }

  /** Last log lines of every process, for a failing test's message. */
  dump(): string {
    return [this.api, ...this.workers, ...this.schedulers]
      .filter((s): s is Service => s !== undefined)
      .map((s) => s.dump())
      .join('\n')
  }

  /**
   * SIGTERMs whatever still runs and removes everything; returns the services that did
   * not exit 0 on SIGTERM (those killed on purpose earlier are not asked again).
   */
  async stop(): Promise<Service[]> {
    const all = [this.api, ...this.workers, ...this.schedulers].filter(
      (s): s is Service => s !== undefined && s.running,
    )
    const codes = await Promise.all(all.map((s) => s.stop('SIGTERM')))
    this.client.disconnect()
    await Promise.all([
      this.sms.close(),
      this.smtp?.close(),
      this.redisCluster ? this.redisCluster.stop() : this.redis.stop(),
    ])
    await rm(this.dataDir, { recursive: true, force: true })
    return all.filter((_, i) => codes[i] !== 0)
  }
}
