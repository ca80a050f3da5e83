import { spawnSync } from 'node:child_process'
import { Cluster, Redis } from 'ioredis'
import { freePort, startRedisServer, type RedisServerHandle } from './redis-server-process.js'

export interface RedisClusterHandle {
  nodes: RedisServerHandle[]
  /** seed nodes for `new Cluster(...)` */
  startup: { host: string; port: number }[]
  /** a new Cluster client; the caller closes it */
  client(): Cluster
  stop(): Promise<void>
}

async function clusterReady(nodes: RedisServerHandle[]): Promise<boolean> {
  for (const node of nodes) {
    const client = new Redis(node.url, { lazyConnect: true, maxRetriesPerRequest: 0 })
    try {
      await client.connect()
      const info = await client.cluster('INFO')
      if (!String(info).includes('cluster_state:ok')) return false
    } finally {
      client.disconnect()
    }
  }
  return true
}

/**
 * A local Redis Cluster of `masters` nodes (no replicas) for tests: each a private
 * redis-server with cluster mode on, joined with `redis-cli --cluster create`. The bus
 * port is chosen explicitly, since port + 10000 may not exist.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const nodes: RedisServerHandle[] = []
  try {
    for (let i = 0; i < masters; i += 1) {
      const busPort = await freePort()
      nodes.push(
        await startRedisServer({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-port',
            String(busPort),
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      )
    }
    const created = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    )
    if (created.status !== 0) {
      throw new Error(`redis-cli --cluster create failed:\n${created.stdout}\n${created.stderr}`)
    }
    const deadline = Date.now() + 15_000
    while (!(await clusterReady(nodes))) {
      if (Date.now() > deadline) throw new Error('the cluster did not reach cluster_state:ok')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()))
    throw err
  }
  const startup = nodes.map((n) => ({ host: '127.0.0.1', port: n.port }))
  return {
    nodes,
    startup,
    client: () => new Cluster(startup, { redisOptions: { maxRetriesPerRequest: null } }),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()))
    },
  }
}
