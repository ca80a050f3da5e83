/**
 * Uploads a hostile client would send: too big (answered on a real socket before the
 * body is read), too many parts, bytes that lie about their type, names that try to
 * leave the upload directory, and a tiny PNG that declares 10^10 pixels. The worker's
 * own pixel limit (sharp's limitInputPixels) is tested in
 * apps/worker/test/convert-image.test.ts ("the image is 20000×20000 ...").
 */
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { listFiles } from '../support/files.js'
import { ELF_BYTES, formBody, PNG_1X1, pngHeader } from '../support/multipart.js'
import { startTestApp, type TestApp } from '../support/test-app.js'

let t: TestApp
afterEach(() => t.close())

const CSV = Buffer.from('name,city\nAn,Hà Nội\n')

async function upload(file: Parameters<typeof formBody>[1], fields: Record<string, string> = {}) {
  const { payload, headers } = await formBody(fields, file)
  return t.app.inject({ method: 'POST', url: '/uploads', payload, headers })
}

async function enqueued(): Promise<number> {
  const c = await t.queue('convert').counts()
  return c.queued + c.scheduled + c.active
}

it('answers 413 while a chunked over-size upload is still being sent', async () => {
  t = await startTestApp({ UPLOAD_MAX_BYTES: String(256 * 1024) })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = t.app.server.address() as AddressInfo
  const total = 64 * 1024 * 1024
  const socket = connect(port, '127.0.0.1')
  let answer = ''
  socket.on('data', (c: Buffer) => (answer += c.toString('latin1')))
  socket.on('error', () => undefined) // the server may reset the socket after answering
  const write = (s: string | Buffer) =>
    new Promise<boolean>((done) => {
      if (socket.destroyed) return done(false)
      socket.write(s, (err) => done(!err))
    })
  const head =
    '--B\r\ncontent-disposition: form-data; name="file"; filename="big.csv"\r\n' +
    'content-type: text/csv\r\n\r\nname,city\n'
  // Chunked, so no Content-Length lets the API refuse up front: it must stop reading.
  await write(
    'POST /uploads HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n' +
      'content-type: multipart/form-data; boundary=B\r\n\r\n',
  )
  let sent = 0
  const chunk = Buffer.alloc(64 * 1024, 'a')
  const frame = Buffer.concat([
    Buffer.from(`${chunk.length.toString(16)}\r\n`),
    chunk,
    Buffer.from('\r\n'),
  ])
  await write(`${Buffer.byteLength(head).toString(16)}\r\n${head}\r\n`)
  while (sent < total && answer === '' && !socket.destroyed) {
    if (!(await write(frame))) break
    sent += chunk.length
  }
  await new Promise((r) => setTimeout(r, 50))
  socket.destroy()
  const status = /^HTTP\/1\.1 (\d+)/.exec(answer)?.[1]
  console.log(`[upload-size] limit=262144 sent=${sent} total=${total} status=${status}`)
  expect(status).toBe('413')
  expect(sent).toBeLessThan(total / 4)
  expect(await listFiles(t.dataDir)).toEqual([])
})

it('answers 413 to a second file and to too many parts', async () => {
  t = await startTestApp()
  const form = new FormData()
  form.append('file', new Blob([CSV]), 'a.csv')
  form.append('file', new Blob([CSV]), 'b.csv')
  const twoFiles = new Response(form)
  const manyParts = new FormData()
  for (let i = 0; i < 10; i += 1) manyParts.append(`f${i}`, 'x')
  manyParts.append('file', new Blob([CSV]), 'a.csv')
  const statuses: number[] = []
  for (const body of [twoFiles, new Response(manyParts)]) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/uploads',
      payload: Buffer.from(await body.arrayBuffer()),
      headers: { 'content-type': body.headers.get('content-type') ?? '' },
    })
    statuses.push(res.statusCode)
  }
  expect(statuses).toEqual([413, 413])
  expect(await enqueued()).toBe(0)
})

it('answers 415 when the bytes are not what the name and type claim', async () => {
  t = await startTestApp()
  const cases = [
    { bytes: ELF_BYTES, filename: 'photo.png', type: 'image/png' },
    { bytes: PNG_1X1, filename: 'people.csv', type: 'text/csv' },
    { bytes: ELF_BYTES, filename: 'data.json', type: 'application/json' },
  ]
  const statuses = [] as number[]
  for (const file of cases) statuses.push((await upload(file)).statusCode)
  expect(statuses).toEqual([415, 415, 415])
  expect(await enqueued()).toBe(0)
  expect(await listFiles(t.dataDir)).toEqual([])
})

it('never lets a client-given name into a storage path', async () => {
  t = await startTestApp()
  const names = [
    '../../etc/passwd.csv',
    '..\\..\\x.csv',
    '/etc/passwd.csv',
    'C:\\Windows\\win.csv',
    'a\u0000b.csv',
    '....//....//x.csv',
    '%2e%2e%2fx.csv',
  ]
  const statuses: number[] = []
  for (const filename of names) {
    statuses.push((await upload({ bytes: CSV, filename, type: 'text/csv' })).statusCode)
  }
  const files = await listFiles(t.dataDir)
  // Only uploads/<22-character generated id>/<fixed name> exists, nothing else.
  for (const f of files) expect(f).toMatch(/^uploads\/[A-Za-z0-9_-]{22}\/(source|meta\.json)[^/]*$/)
  for (const name of names) {
    for (const base of [t.dataDir, `${t.dataDir}/uploads`]) {
      expect(existsSync(resolve(base, name.replace(/\0/g, '')))).toBe(false)
    }
  }
  console.log(
    `[upload-names] names=${names.length} statuses=${statuses.join(',')} files=${files.length}`,
  )
  expect(statuses.every((s) => s === 202 || (s >= 400 && s < 500))).toBe(true)
})

it('refuses a small PNG declaring 100000×100000 pixels with 413, enqueueing nothing', async () => {
  t = await startTestApp()
  const bomb = pngHeader(100_000, 100_000)
  expect(bomb.length).toBeLessThan(200)
  const res = await upload({ bytes: bomb, filename: 'bomb.png', type: 'image/png' })
  console.log(`[pixel-bomb] bytes=${bomb.length} pixels=1e10 status=${res.statusCode}`)
  expect(res.statusCode).toBe(413)
  expect(await enqueued()).toBe(0)
  expect(await listFiles(t.dataDir)).toEqual([])
})
