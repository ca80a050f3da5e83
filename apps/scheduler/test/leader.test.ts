import { afterEach, describe, expect, it } from 'vitest'
import { LeaderLease } from '../src/leader.js'
import type { Scheduler } from '../src/scheduler.js'
import { SchedulerScripts, type ClaimArgs, type Fence } from '../src/scripts.js'
import { perSecond, waitFor, World } from './support/harness.js'

const LEASE_MS = 600

let world: World
afterEach(async () => {
  await world.cleanup()
})

function twoSchedulers(): [Scheduler, Scheduler] {
  const options = { leaseMs: LEASE_MS, catchUp: 'once' as const }
  return [world.scheduler(options), world.scheduler(options)]
}

describe('leader election', () => {
  it('elects exactly one leader, and a standby takes over within the lease when it dies', async () => {
    world = new World()
    const [a, b] = twoSchedulers()
    await Promise.all([a.start(), b.start()])
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1)
    const [leader, standby] = a.isLeader ? [a, b] : [b, a]
    const firstToken = leader.token ?? 0
    expect(firstToken).toBeGreaterThan(0)
    expect(standby.token).toBeNull()

    // Dies: no renewal, no release; its lease has to run out.
    const takeover = new Promise<number>((resolve) =>
      standby.once('leadership', ({ token }) => resolve(token)),
    )
    const diedAt = Date.now()
    await world.stop(leader, { releaseLease: false })
    const token = await takeover
    const elapsed = Date.now() - diedAt

    expect(standby.isLeader).toBe(true)
    expect(token).toBeGreaterThan(firstToken)
    // Within the lease, plus slack for a loaded machine.
    expect(elapsed).toBeLessThan(LEASE_MS + 400)
  })

  it('hands over at once on a graceful stop, which releases the lease', async () => {
    world = new World()
    const [a, b] = twoSchedulers()
    await a.start()
    await b.start()
    expect(a.isLeader).toBe(true)
    expect(b.isLeader).toBe(false)
    await world.stop(a)
    expect(await world.redis().exists(world.keys.lease)).toBe(0)
    await waitFor('the standby to lead', () => b.isLeader, LEASE_MS)
  })
})

describe('fencing', () => {
  it("refuses a deposed leader's claim made with its old token", async () => {
    world = new World()
    const keys = world.keys
    const id = await world.put(perSecond())
    const lease = (holder: string) =>
      new LeaderLease({
        scripts: new SchedulerScripts(world.redis(), keys),
        holder,
        leaseMs: 10_000,
      })
    const scripts = new SchedulerScripts(world.redis(), keys)
    const claimAt = (slotMs: number, revision = 1): ClaimArgs => ({
      id,
      revision,
      slotMs,
      state: 'claimed',
      limit: 0,
      pending: '{}',
      missed: '',
    })
    const claim = (leader: LeaderLease, slotMs: number, revision?: number) =>
      leader.fenced((fence: Fence) => scripts.claim(fence, claimAt(slotMs, revision)))
    const old = lease('old')
    const lost: string[] = []
    old.on('lost', (_token, reason) => lost.push(reason))
    await old.start()
    const oldToken = old.token ?? 0
    expect(oldToken).toBeGreaterThan(0)
    expect(await world.redis().get(keys.leaderSince)).toMatch(new RegExp(`^${oldToken}\\|\\d{13}$`))

    // The old leader stalls (a long GC pause, a partition) past its lease: it still
    // believes it leads when a new leader has taken over.
    await world.redis().del(keys.lease)
    const next = lease('new')
    await next.start()
    expect(next.token).toBe(oldToken + 1)
    expect(old.isLeader).toBe(true)

    expect(await claim(old, 1_000)).toBe('fenced')
    expect(old.isLeader).toBe(false)
    expect(lost).toHaveLength(1)
    expect(await world.redis().hget(keys.slots, id)).toBeNull()

    // A decision made on an older revision of the schedule is refused as stale.
    expect(await claim(next, 1_000, 0)).toBe('stale')
    expect(await claim(next, 1_000)).toBe('claimed')
    // A claim not yet confirmed, the same slot twice, or an earlier one: not claimed again.
    expect(await claim(next, 2_000)).toBe('taken')
    expect(await scripts.confirm({ id, slotMs: 1_000, state: 'fired', run: '{}' })).toBe(true)
    expect(await claim(next, 1_000)).toBe('taken')
    expect(await claim(next, 500)).toBe('taken')
    expect(await world.redis().hget(keys.slots, id)).toBe(`1000|fired|${oldToken + 1}|1`)

    // The current lease value with a stale token is refused too.
    const stale = { leaseValue: `new|${oldToken + 1}`, token: oldToken }
    expect(await scripts.claim(stale, claimAt(2_000))).toBe('fenced')

    await old.stop({ release: true })
    await next.stop({ release: true })
    expect(await world.redis().exists(keys.lease)).toBe(0)
  })

  it('releases only a lease that is still ours', async () => {
    world = new World()
    const scripts = new SchedulerScripts(world.redis(), world.keys)
    const { token } = await scripts.acquire('a', 10_000)
    expect(await scripts.release(`b|${token}`)).toBe(false)
    expect(await scripts.renew(`b|${token}`, 10_000)).toBe(false)
    const refused = await scripts.acquire('b', 10_000)
    expect(refused.token).toBe(0)
    expect(refused.ttlMs).toBeGreaterThan(0)
    expect(await scripts.release(`a|${token}`)).toBe(true)
  })
})
