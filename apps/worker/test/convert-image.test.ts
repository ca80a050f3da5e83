import { open, readFile, stat } from 'node:fs/promises'
import { sniffFormat, Storage } from '@conveyor/service-kit'
import sharp from 'sharp'
import { beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { useHarness, waitForState } from './helpers/harness.js'
import { convertOnly, putUpload } from './helpers/uploads.js'

/** sharp's name for each format in metadata(). */
const SHARP_FORMAT: Record<string, string> = {
  png: 'png',
  jpeg: 'jpeg',
  webp: 'webp',
  avif: 'heif',
}

async function head(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(64)
    const { bytesRead } = await handle.read(buffer, 0, 64, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

describe('convert: images', () => {
  const h = useHarness()
  let storage: Storage
  let png: Buffer
  let bomb: Buffer

  beforeAll(async () => {
    // A half-transparent gradient-free test card: 64×48 with an alpha channel.
    png = await sharp({
      create: {
        width: 64,
        height: 48,
        channels: 4,
        background: { r: 200, g: 30, b: 60, alpha: 0.5 },
      },
    })
      .png()
      .toBuffer()
    // 20000×20000 of one colour compresses to about a megabyte, but declares 400 million
    // pixels; creating it needs sharp's own limit lifted.
    bomb = await sharp({
      create: { width: 20_000, height: 20_000, channels: 3, background: '#336699' },
      limitInputPixels: false,
    })
      .png({ compressionLevel: 9 })
      .toBuffer()
  }, 60_000)

  beforeEach(async () => {
    storage = new Storage(await h.tempDir())
  })

  async function convert(
    options: { uploadId: string; sourceFormat: string; targetFormat: string },
    maxPixels?: number,
  ) {
    const { queue } = h.start(convertOnly(storage, maxPixels), 'convert')
    const { id } = await queue.enqueue('convert', { ...options, filename: 'picture' })
    return waitForState(queue, id, ['completed', 'dead', 'retrying'], 60_000)
  }

  test.each(['jpeg', 'webp', 'avif'])('PNG → %s: right magic bytes and metadata', async (to) => {
    await putUpload(storage, `img-${to}`, png)
    const job = await convert({ uploadId: `img-${to}`, sourceFormat: 'png', targetFormat: to })
    expect(job.state).toBe('completed')
    const out = storage.resultPath(`img-${to}`, to)
    expect(sniffFormat(await head(out))).toBe(to)
    const meta = await sharp(out).metadata()
    expect(meta.format).toBe(SHARP_FORMAT[to])
    expect([meta.width, meta.height]).toEqual([64, 48])
    if (to === 'avif') expect(meta.compression).toBe('av1')
    expect(job.result).toEqual({
      uploadId: `img-${to}`,
      format: to,
      bytes: (await stat(out)).size,
      downloadUrl: `/uploads/img-${to}/result`,
    })
    expect(job.progress).toEqual({ stage: 'done', percent: 100 })
  })

  test('JPEG (named jpg) → PNG round-trips, and JPEG loses transparency to white', async () => {
    await putUpload(storage, 'img-a', png)
    await convert({ uploadId: 'img-a', sourceFormat: 'png', targetFormat: 'jpg' })
    const jpeg = storage.resultPath('img-a', 'jpeg')
    const { channels } = await sharp(jpeg)
      .raw()
      .toBuffer({ resolveWithObject: true })
      .then((r) => r.info)
    expect(channels).toBe(3)
    const [r, g, b] = await sharp(jpeg).raw().toBuffer()
    // 50% of (200, 30, 60) over white.
    expect(Math.abs((r ?? 0) - 228)).toBeLessThan(8)
    expect(Math.abs((g ?? 0) - 143)).toBeLessThan(8)
    expect(Math.abs((b ?? 0) - 158)).toBeLessThan(8)

    await putUpload(storage, 'img-b', await readFile(jpeg))
    const job = await convert({ uploadId: 'img-b', sourceFormat: 'jpg', targetFormat: 'png' })
    expect(job.state).toBe('completed')
    expect(sniffFormat(await head(storage.resultPath('img-b', 'png')))).toBe('png')
  })

  test('a decompression bomb is refused from its header, permanently', async () => {
    expect(bomb.length).toBeLessThan(5_000_000)
    await putUpload(storage, 'img-bomb', bomb)
    // Decoded, the image would be 20000 × 20000 × 3 bytes = 1.2 GB: the worker's memory
    // must not come anywhere near it (sampled while the job runs).
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
    const job = await convert(
      { uploadId: 'img-bomb', sourceFormat: 'png', targetFormat: 'webp' },
      1_000_000,
    ).finally(() => clearInterval(sampler))
    const growthMb = Math.round((peak - before) / 1e6)
    console.log(`[pixel-bomb:worker] file=${bomb.length}B decoded=1200MB rssGrowth=${growthMb}MB`)
    expect(peak - before).toBeLessThan(200_000_000)
    expect(job.state).toBe('dead')
    expect(job.attempts).toBe(1)
    expect(job.lastError?.code).toBe('permanent_failure')
    expect(job.lastError?.message).toBe(
      'the image is 20000×20000 = 400000000 pixels, more than the limit of 1000000 ' +
        '(CONVERT_MAX_PIXELS); it was not decoded',
    )
    await expect(stat(storage.resultPath('img-bomb', 'webp'))).rejects.toThrow(/ENOENT/)
  })

  test('bytes that are not the claimed format fail permanently', async () => {
    await putUpload(storage, 'img-lie', png)
    const job = await convert({ uploadId: 'img-lie', sourceFormat: 'jpeg', targetFormat: 'webp' })
    expect(job.state).toBe('dead')
    expect(job.attempts).toBe(1)
    expect(job.lastError?.message).toBe('upload img-lie is not jpeg: its content looks like png')

    await putUpload(storage, 'img-junk', Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
    const junk = await convert({ uploadId: 'img-junk', sourceFormat: 'png', targetFormat: 'webp' })
    expect(junk.state).toBe('dead')
    expect(junk.lastError?.message).toMatch(/looks like no format Conveyor knows/)
  })

  test('a truncated image fails permanently and leaves no partial result', async () => {
    await putUpload(storage, 'img-cut', png.subarray(0, 60))
    const job = await convert({ uploadId: 'img-cut', sourceFormat: 'png', targetFormat: 'jpeg' })
    expect(job.state).toBe('dead')
    expect(job.lastError?.code).toBe('permanent_failure')
    await expect(stat(storage.resultPath('img-cut', 'jpeg'))).rejects.toThrow(/ENOENT/)
  })

  test('an unsupported pair fails permanently, naming the supported pairs', async () => {
    await putUpload(storage, 'img-csv', png)
    const job = await convert({ uploadId: 'img-csv', sourceFormat: 'png', targetFormat: 'csv' })
    expect(job.state).toBe('dead')
    expect(job.attempts).toBe(1)
    expect(job.lastError?.message).toBe(
      'cannot convert png to csv: the supported conversions are ' +
        'csv↔json, and png, jpeg, webp, avif between each other',
    )
  })
})
