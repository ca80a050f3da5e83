import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConveyorError, QueueInspector } from '../src/index.js'
import { startRedisServer, type RedisServerHandle } from '../src/testing/index.js'
import { harness } from './support/harness.js'

let server: RedisServerHandle
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.stop()
})

/** 5 plain jobs and 3 groups of 4 (one of them at priority 1): nothing runs them. */
async function fill(h: ReturnType<typeof harness>) {
  const plain = await h.queue.enqueueBulk(
    Array.from({ length: 5 }, (_, n) => ({ type: 'task' as const, payload: { n } })),
  )
  const byGroup = new Map<string, string[]>()
  for (const group of ['b', 'a', 'c']) {
    const made = await h.queue.enqueueBulk(
      Array.from({ length: 4 }, (_, n) => ({
        type: 'task' as const,
        payload: { n },
        options: { group, ...(group === 'c' ? { priority: 1 } : {}) },
      })),
    )
    byGroup.set(
      group,
      made.map((m) => m.id),
    )
  }
  return { plain: plain.map((m) => m.id), byGroup }
}

describe('browsing queued grouped jobs', () => {
  it('cursor pages show plain jobs, then grouped ones group by group, each once', async () => {
    const h = harness(server.url)
    const { plain, byGroup } = await fill(h)
    const inspector = new QueueInspector(h.queue)
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    for (;;) {
      const page = await inspector.browse({ state: 'queued', cursor, limit: 3 })
      expect(page.total).toBe(17)
      seen.push(...page.jobs.map((j) => j.id))
      pages += 1
      if (page.next === null) break
      cursor = page.next
    }
    expect(seen).toEqual([
      ...plain,
      ...(byGroup.get('a') ?? []),
      ...(byGroup.get('b') ?? []),
      ...(byGroup.get('c') ?? []),
    ])
    expect(pages).toBe(6)
  })

  it("a group filter pages one group's queued jobs directly, by cursor and by offset", async () => {
    const h = harness(server.url)
    const { byGroup } = await fill(h)
    const inspector = new QueueInspector(h.queue)
    const first = await inspector.browse({ state: 'queued', group: 'b', limit: 3 })
    expect(first.total).toBe(4)
    // Read directly: it examined only the group's jobs.
    expect(first.scanned).toBe(3)
    const second = await inspector.browse({
      state: 'queued',
      group: 'b',
      limit: 3,
      cursor: first.next ?? undefined,
    })
    expect(second.next).toBeNull()
    expect([...first.jobs, ...second.jobs].map((j) => j.id)).toEqual(byGroup.get('b'))
    expect(first.jobs.every((j) => j.group === 'b')).toBe(true)

    const listed = await h.queue.list('queued', { group: 'c', offset: 1, limit: 2 })
    expect(listed.total).toBe(4)
    expect(listed.jobs.map((j) => j.id)).toEqual(byGroup.get('c')?.slice(1, 3))
    expect((await h.queue.list('queued', { group: 'nobody' })).jobs).toEqual([])
  })

  it('offset pages go on from the plain jobs into the grouped ones', async () => {
    const h = harness(server.url)
    const { plain, byGroup } = await fill(h)
    const page = await h.queue.list('queued', { offset: 4, limit: 6 })
    expect(page.total).toBe(17)
    expect(page.jobs.map((j) => j.id)).toEqual([
      plain[4],
      ...(byGroup.get('a') ?? []),
      byGroup.get('b')?.[0],
    ])
    expect((await h.queue.counts()).queued).toBe(17)
  })

  it('a bad group, or a group with another state for an offset listing, is a validation error', async () => {
    const h = harness(server.url)
    const inspector = new QueueInspector(h.queue)
    await expect(inspector.browse({ state: 'queued', group: 'a\u0000b' })).rejects.toThrow(
      ConveyorError,
    )
    await expect(h.queue.list('queued', { group: '' })).rejects.toMatchObject({
      code: 'validation_failed',
    })
    await expect(h.queue.list('dead', { group: 'a' })).rejects.toMatchObject({
      code: 'validation_failed',
    })
    await expect(inspector.browse({ state: 'queued', cursor: 'g.Zm9v' })).rejects.toMatchObject({
      code: 'validation_failed',
    })
  })
})
