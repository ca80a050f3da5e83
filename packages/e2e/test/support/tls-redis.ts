import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis, type RedisOptions } from 'ioredis'
import { freePort, until } from '@conveyor/test-support'

const run = promisify(execFile)

export interface TlsFiles {
  dir: string
  caFile: string
  certFile: string
  keyFile: string
}

/**
 * A throwaway CA and a server certificate it signed for 127.0.0.1 (as an IP
 * subjectAltName: Node checks the SAN, not the CN, when it connects to an address).
 */
export async function makeCertificates(): Promise<TlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'conveyor-tls-'))
  const f = (name: string) => join(dir, name)
  const openssl = (...args: string[]) => run('openssl', args)
  await openssl(
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
    ...['-subj', '/CN=conveyor-test-ca', '-keyout', f('ca.key'), '-out', f('ca.crt')],
  )
  await openssl(
    ...['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1'],
    ...['-keyout', f('server.key'), '-out', f('server.csr')],
  )
  await writeFile(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n')
  await openssl(
    ...['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key')],
    ...['-CAcreateserial', '-days', '1', '-extfile', f('san.ext'), '-out', f('server.crt')],
  )
  return { dir, caFile: f('ca.crt'), certFile: f('server.crt'), keyFile: f('server.key') }
}

/** A redis-server that only speaks TLS (`--port 0`), for clients that need no certificate. */
export class TlsRedis {
  private readonly output: string[] = []

  private constructor(
    readonly port: number,
    readonly tls: TlsFiles,
    private readonly child: ChildProcess,
  ) {
    for (const s of [child.stdout, child.stderr]) {
      s?.on('data', (c: Buffer) => this.output.push(c.toString()))
    }
  }

  static async start(tls: TlsFiles): Promise<TlsRedis> {
    const port = await freePort()
    const child = spawn(
      'redis-server',
      [
        ...['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1'],
        ...['--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile],
        ...['--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no'],
        ...['--save', '', '--appendonly', 'no', '--dir', tls.dir],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const server = new TlsRedis(port, tls, child)
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited:\n${server.log()}`)
        const probe = server.admin({ lazyConnect: true, retryStrategy: () => null })
        try {
          await probe.connect()
          return (await probe.ping()) === 'PONG'
        } catch {
          return false
        } finally {
          probe.disconnect()
        }
      },
      'the TLS redis-server to answer',
      10_000,
    )
    return server
  }

  /** A client as the `default` user (no password: the test's own back door). */
  admin(extra: RedisOptions = {}): Redis {
    const client = new Redis({
      host: '127.0.0.1',
      port: this.port,
      tls: { ca: readFileSync(this.tls.caFile) },
      maxRetriesPerRequest: 1,
      ...extra,
    })
    client.on('error', () => undefined)
    return client
  }

  log(): string {
    return this.output.join('').slice(-4000)
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve))
      this.child.kill('SIGTERM')
      await exited
    }
    await rm(this.tls.dir, { recursive: true, force: true })
  }
}
