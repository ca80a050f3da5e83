import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Storage, UPLOAD_ID } from '@conveyor/service-kit'
import { afterEach, describe, expect, it } from 'vitest'
import { listFiles } from './support/files.js'
import { ELF_BYTES, formBody, PNG_1X1, pngHeader, ZIP_BYTES } from './support/multipart.js'
import { startTestApp, type TestApp } from './support/test-app.js'
import { anyNumber, anyString } from './support/matchers.js'

let t: TestApp
afterEach(() => t.close())

const CSV = Buffer.from('name,city\nNguyễn Văn A,Hà Nội\nTrần Thị B,Đà Nẵng 🌊\n')

async function upload(
  file: Parameters<typeof formBody>[1],
  fields: Record<string, string> = {},
  url = '/uploads',
) {
  const { payload, headers } = await formBody(fields, file)
  const res = await t.app.inject({ method: 'POST', url, payload, headers })
  return { status: res.statusCode, body: res.json<Record<string, string>>() }
}

describe('POST /uploads', () => {
  it('stores a CSV under DATA_DIR, writes its meta and enqueues a convert job', async () => {
    t = await startTestApp()
    const res = await upload({ bytes: CSV, filename: 'khách hàng.csv', type: 'text/csv' })
    expect(res.status).toBe(202)
    const { uploadId, jobId, statusUrl } = res.body
    expect(uploadId).toMatch(UPLOAD_ID)
    expect(statusUrl).toBe(`/jobs/${jobId}`)

    const storage = new Storage(t.dataDir)
    expect(await readFile(storage.sourcePath(uploadId!))).toEqual(CSV)
    const meta = JSON.parse(await readFile(storage.metaPath(uploadId!), 'utf8')) as unknown
    expect(meta).toEqual({
      uploadId,
      filename: 'khách hàng.csv',
      sourceFormat: 'csv',
      targetFormat: 'json',
      bytes: CSV.length,
      createdAt: anyNumber,
    })
    const job = await t.queue('convert').getJob(jobId!)
    expect(job?.payload).toEqual({
      uploadId,
      sourceFormat: 'csv',
      targetFormat: 'json',
      filename: 'khách hàng.csv',
    })
  })

  it('takes a PNG with targetFormat as a field or a query parameter, webp by default', async () => {
    t = await startTestApp()
    const asField = await upload(
      { bytes: PNG_1X1, filename: 'pixel.png', type: 'image/png' },
      { targetFormat: 'jpg' },
    )
    expect(asField.status).toBe(202)
    const byField = await t.queue('convert').getJob(asField.body.jobId!)
    expect(byField?.payload).toMatchObject({ sourceFormat: 'png', targetFormat: 'jpeg' })

    const inQuery = await upload(
      { bytes: PNG_1X1, filename: 'pixel.png', type: 'image/png' },
      {},
      '/uploads?targetFormat=avif',
    )
    const byQuery = await t.queue('convert').getJob(inQuery.body.jobId!)
    expect(byQuery?.payload).toMatchObject({ targetFormat: 'avif' })

    const byDefault = await upload({ bytes: PNG_1X1, filename: 'pixel.png' })
    const job = await t.queue('convert').getJob(byDefault.body.jobId!)
    expect(job?.payload).toMatchObject({ sourceFormat: 'png', targetFormat: 'webp' })
    const stored = new Storage(t.dataDir).sourcePath(byDefault.body.uploadId!)
    expect(await readFile(stored)).toEqual(PNG_1X1)
  })

  it('with notify, makes a flow: the conversion, then an e-mail with the download link', async () => {
    t = await startTestApp()
    const res = await upload(
      { bytes: CSV, filename: 'people.csv', type: 'text/csv' },
      { notify: 'owner@example.com' },
    )
    expect(res.status).toBe(202)
    const { uploadId, jobId, flowId, notifyJobId } = res.body
    expect((await t.queue('convert').getJob(jobId!))?.state).toBe('queued')
    const email = await t.queue('default').getJob(notifyJobId!)
    expect(email).toMatchObject({ state: 'waiting', flow: { id: flowId, node: 'notify' } })
    expect(email?.payload).toMatchObject({ to: 'owner@example.com' })
    expect(JSON.stringify(email?.payload)).toContain(`/uploads/${uploadId}/result`)
    const flow = await t.app.inject({ method: 'GET', url: `/flows/${flowId}` })
    expect(flow.json()).toMatchObject({ state: 'running' })

    const bad = await upload(
      { bytes: CSV, filename: 'people.csv', type: 'text/csv' },
      {},
      '/uploads?notify=not-an-address',
    )
    expect(bad.status).toBe(400)
    expect(bad.body.details).toContainEqual({ path: '/notify', message: anyString })
  })

  it('refuses an unsupported targetFormat with 400 naming it, keeping nothing', async () => {
    t = await startTestApp()
    const res = await upload(
      { bytes: PNG_1X1, filename: 'pixel.png', type: 'image/png' },
      { targetFormat: 'csv' },
    )
    expect(res.status).toBe(400)
    expect(res.body.details).toContainEqual({ path: '/targetFormat', message: anyString })
    expect(await listFiles(t.dataDir)).toEqual([])
    expect((await t.queue('convert').counts()).queued).toBe(0)
  })

  it('answers 415 for a .png that is a ZIP or an ELF, and for a mismatched claim', async () => {
    t = await startTestApp()
    for (const bytes of [ZIP_BYTES, ELF_BYTES]) {
      const res = await upload({ bytes, filename: 'photo.png', type: 'image/png' })
      expect(res.status).toBe(415)
      expect(res.body.error).toBe('unsupported_media_type')
    }
    const csvAsPng = await upload({ bytes: CSV, filename: 'photo.png', type: 'image/png' })
    expect(csvAsPng.status).toBe(415)
    const noClaim = await upload({ bytes: CSV, filename: 'data' })
    expect(noClaim.status).toBe(415)
    expect(await listFiles(t.dataDir)).toEqual([])
    expect((await t.queue('convert').counts()).queued).toBe(0)
  })

  it('keeps a client file name as display text only: ../../etc/passwd', async () => {
    t = await startTestApp()
    const res = await upload({ bytes: CSV, filename: '../../etc/passwd', type: 'text/csv' })
    expect(res.status).toBe(202)
    const id = res.body.uploadId!
    expect(await listFiles(t.dataDir)).toEqual([
      join('uploads', id, 'meta.json'),
      join('uploads', id, 'source'),
    ])
    expect(existsSync(join(t.dataDir, 'etc'))).toBe(false)
    const job = await t.queue('convert').getJob(res.body.jobId!)
    expect(job?.payload).toMatchObject({ filename: 'passwd' })
  })

  it('answers 413 for a file over UPLOAD_MAX_BYTES and leaves no file', async () => {
    t = await startTestApp({ UPLOAD_MAX_BYTES: String(64 * 1024) })
    const big = Buffer.alloc(300 * 1024, 'a,b\n')
    const res = await upload({ bytes: big, filename: 'big.csv', type: 'text/csv' })
    expect(res.status).toBe(413)
    expect(res.body.error).toBe('payload_too_large')
    expect(await listFiles(t.dataDir)).toEqual([])
  })

  it('answers 413 for an image whose header is over CONVERT_MAX_PIXELS', async () => {
    t = await startTestApp({ CONVERT_MAX_PIXELS: String(1_000_000) })
    const res = await upload({ bytes: pngHeader(2000, 1000), filename: 'huge.png' })
    expect(res.status).toBe(413)
    expect(res.body.error).toBe('image_too_large')
    expect(await listFiles(t.dataDir)).toEqual([])
  })

  it('answers 413 to a second file and 400 to a file under another name', async () => {
    t = await startTestApp()
    const form = new FormData()
    form.append('file', new Blob([CSV], { type: 'text/csv' }), 'a.csv')
    form.append('file', new Blob([CSV], { type: 'text/csv' }), 'b.csv')
    const encoded = new Response(form)
    const two = await t.app.inject({
      method: 'POST',
      url: '/uploads',
      payload: Buffer.from(await encoded.arrayBuffer()),
      headers: { 'content-type': encoded.headers.get('content-type') ?? '' },
    })
    expect(two.statusCode).toBe(413)
    const other = await upload({ bytes: CSV, filename: 'a.csv', field: 'document' })
    expect(other.status).toBe(400)
    expect(other.body.details).toContainEqual({ path: '/document', message: anyString })
    expect(await listFiles(t.dataDir)).toEqual([])
    expect((await t.queue('convert').counts()).queued).toBe(0)
  })

  it('replays an upload repeated with the same Idempotency-Key', async () => {
    t = await startTestApp()
    const { payload, headers } = await formBody({}, { bytes: CSV, filename: 'a.csv' })
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/uploads',
        payload,
        headers: { ...headers, 'idempotency-key': 'upload-1' },
      })
    const first = await send()
    const second = await send()
    expect(first.statusCode).toBe(202)
    expect(second.json()).toEqual(first.json())
    expect((await t.queue('convert').counts()).queued).toBe(1)
    expect(await listFiles(join(t.dataDir, 'uploads'))).toHaveLength(2)
  })

  it('answers 415 to a request that is not multipart, and 400 without a file', async () => {
    t = await startTestApp()
    const json = await t.app.inject({ method: 'POST', url: '/uploads', payload: { file: 'x' } })
    expect(json.statusCode).toBe(415)
    const noFile = await upload(undefined, { targetFormat: 'json' })
    expect(noFile.status).toBe(400)
    expect(noFile.body.details).toContainEqual({ path: '/file', message: 'is required' })
  })
})

describe('an upload over the limit on a real socket', () => {
  it('is answered 413 before the whole body is sent', async () => {
    t = await startTestApp({ UPLOAD_MAX_BYTES: String(1024 * 1024) })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = t.app.server.address() as AddressInfo
    const total = 256 * 1024 * 1024
    const chunk = Buffer.alloc(64 * 1024, 'x,y\n')
    const boundary = 'conveyor-test-boundary'
    const { status, sent } = await new Promise<{ status: number; sent: number }>(
      (resolve, reject) => {
        let sent = 0
        let answered = false
        // No Content-Length (chunked), so only the streaming limit can catch it.
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/uploads',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        })
        req.on('response', (res) => {
          answered = true
          res.resume()
          resolve({ status: res.statusCode ?? 0, sent })
          req.destroy()
        })
        req.on('error', (err) => {
          if (!answered) reject(err)
        })
        req.write(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n` +
            'Content-Type: text/csv\r\n\r\n',
        )
        const pump = () => {
          while (!answered && sent < total) {
            sent += chunk.length
            if (!req.write(chunk)) {
              req.once('drain', pump)
              return
            }
          }
          if (!answered) req.end(`\r\n--${boundary}--\r\n`)
        }
        pump()
      },
    )
    expect(status).toBe(413)
    // The limit is 1 MiB; socket buffers let some more through, not the 256 MiB.
    expect(sent).toBeLessThan(total / 8)
    expect(await listFiles(t.dataDir)).toEqual([])
  })
})

describe('a large upload', () => {
  it('is streamed to disk: memory stays flat while 128 MiB go through', async () => {
    t = await startTestApp()
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = t.app.server.address() as AddressInfo
    const size = 128 * 1024 * 1024
    const chunk = Buffer.alloc(1024 * 1024, 'id,value\n1,2\n')
    const boundary = 'conveyor-large-boundary'
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n` +
        'Content-Type: text/csv\r\n\r\n',
    )
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
    function* body() {
      yield head
      for (let sent = 0; sent < size; sent += chunk.length) yield chunk
      yield tail
    }
    const memory = () => {
      const m = process.memoryUsage()
      return m.heapUsed + m.arrayBuffers
    }
    const baseline = memory()
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, memory())), 20)
    const res = await fetch(`http://127.0.0.1:${port}/uploads`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: ReadableStream.from(body()),
      duplex: 'half',
    })
    clearInterval(sampler)
    expect(res.status).toBe(202)
    const { uploadId } = (await res.json()) as { uploadId: string }
    const meta = JSON.parse(await readFile(new Storage(t.dataDir).metaPath(uploadId), 'utf8')) as {
      bytes: number
    }
    expect(meta.bytes).toBe(size)
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024)
  })
})

describe('GET /uploads/:id/result', () => {
  it('answers 404 for an unknown upload, 409 before the result, then streams it', async () => {
    t = await startTestApp()
    const unknown = await t.app.inject({ method: 'GET', url: '/uploads/nosuchupload/result' })
    expect(unknown.statusCode).toBe(404)
    const bad = await t.app.inject({ method: 'GET', url: '/uploads/..%2F..%2Fetc/result' })
    expect(bad.statusCode).toBe(400)

    const res = await upload({ bytes: CSV, filename: 'Danh sách khách hàng.csv', type: 'text/csv' })
    const id = res.body.uploadId!
    const early = await t.app.inject({ method: 'GET', url: `/uploads/${id}/result` })
    expect(early.statusCode).toBe(409)
    expect(early.json()).toMatchObject({ error: 'result_not_ready' })

    // What the worker does: write the result beside the source.
    const storage = new Storage(t.dataDir)
    const result = JSON.stringify([{ name: 'Nguyễn Văn A', city: 'Hà Nội' }])
    await mkdir(storage.uploadDir(id), { recursive: true })
    await writeFile(storage.resultPath(id, 'json'), result)

    const done = await t.app.inject({ method: 'GET', url: `/uploads/${id}/result` })
    expect(done.statusCode).toBe(200)
    expect(done.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(done.headers['content-disposition']).toBe(
      `attachment; filename="Danh s_ch kh_ch h_ng.json"; filename*=UTF-8''${encodeURIComponent('Danh sách khách hàng.json')}`,
    )
    expect(done.body).toBe(result)
  })
})
