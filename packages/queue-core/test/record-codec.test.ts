import { readFileSync } from 'node:fs'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { decodeRecord, encodeRecord, type StoredRecord } from '../src/record-codec.js'
import { flattenLua } from '../src/script-loader.js'

interface Fixture {
  records: { raw: string; record: StoredRecord | null }[]
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/record-codec.json', import.meta.url), 'utf8'),
) as Fixture

// Runs record.lua's own decode and encode on each raw value, in Redis.
const LUA_ROUNDTRIP = flattenLua(`--- @include "record"
local out = {}
for i = 1, #ARGV do
  local r = rec_decode(ARGV[i])
  if r then
    out[i] = cjson.encode({ record = { state = r.state, attempts = r.attempts, stalls = r.stalls,
      priority = r.priority, owner = r.owner, runAt = tonumber(r.runAt),
      startedAt = tonumber(r.startedAt), finishedAt = tonumber(r.finishedAt) },
      encoded = rec_encode(r) })
  else
    out[i] = 'null'
  end
end
return out`)

describe('the record codec, in TypeScript and in Lua, against one fixture', () => {
  const redis = new Redis(inject('redisUrl'))
  afterAll(async () => {
    await redis.quit()
  })

  it('decodes and encodes every fixture line the same way in TypeScript', () => {
    for (const { raw, record } of fixture.records) {
      expect(decodeRecord(raw), raw).toEqual(record)
      if (record) expect(encodeRecord(record)).toBe(raw)
    }
  })

  it('decodes and encodes every fixture line the same way in Lua', async () => {
    const raws = fixture.records.map((r) => r.raw)
    const replies = (await redis.eval(LUA_ROUNDTRIP, 0, ...raws)) as string[]
    replies.forEach((reply, i) => {
      const { raw, record } = fixture.records[i] ?? { raw: '', record: null }
      const decoded = JSON.parse(reply) as { record: StoredRecord; encoded: string } | null
      expect(decoded?.record ?? null, raw).toEqual(record)
      if (record) expect(decoded?.encoded).toBe(raw)
    })
  })
})
