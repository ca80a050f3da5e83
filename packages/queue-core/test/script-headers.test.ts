import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  BATCH_SCRIPT_KEYS,
  FLOW_SCRIPT_KEYS,
  REQUEST_SCRIPT_KEYS,
  SCRIPT_KEYS,
} from '../src/keys.js'
import { SCHEDULE_SCRIPT_KEYS } from '../src/schedules/schedule-keys.js'
import { LUA_DIR } from '../src/script-loader.js'

/** Every script's KEYS by name: a queue's, a flow's, a batch's (keys.ts) and the schedule store's (schedule-keys.ts). */
const TABLE: Record<string, readonly string[]> = {
  ...SCRIPT_KEYS,
  ...SCHEDULE_SCRIPT_KEYS,
  ...FLOW_SCRIPT_KEYS,
  ...BATCH_SCRIPT_KEYS,
  ...REQUEST_SCRIPT_KEYS,
}

const scripts = readdirSync(LUA_DIR)
  .filter((f) => f.endsWith('.lua'))
  .map((f) => f.replace(/\.lua$/, ''))

function source(name: string): string {
  return readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8')
}

/** The key names a script's header lists, in order; a `KEYS[a..b] ready:0..ready:9` line is 'ready'. */
function headerKeys(lua: string): string[] {
  const header = lua.slice(0, lua.indexOf(']]'))
  const out: string[] = []
  let expected = 1
  for (const m of header.matchAll(/^KEYS\[(\d+)(?:\.\.(\d+))?\]\s+(\S+)/gm)) {
    const [, from, to, name] = m
    expect(Number(from), `KEYS numbering at ${name}`).toBe(expected)
    if (to !== undefined) {
      expect(name).toBe('ready:0..ready:9')
      expect(Number(to) - Number(from)).toBe(9)
      out.push('ready')
      expected = Number(to) + 1
    } else {
      out.push(name ?? '')
      expected += 1
    }
  }
  return out
}

describe('Lua script headers', () => {
  it('every script in lua/ has its KEYS in keys.ts or schedule-keys.ts, and every entry there a script', () => {
    expect(scripts.sort()).toEqual(Object.keys(TABLE).sort())
  })

  it.each(scripts)(
    '%s: the header lists the KEYS keys.ts passes, in order, with ARGV and Returns',
    (name) => {
      const lua = source(name)
      expect(lua.startsWith(`--[[ ${name}:`)).toBe(true)
      expect(headerKeys(lua)).toEqual([...(TABLE[name] ?? [])])
      const header = lua.slice(0, lua.indexOf(']]'))
      expect(header).toMatch(/^Returns:/m)
      if (/ARGV\[/.test(lua.slice(lua.indexOf(']]')))) expect(header).toMatch(/^ARGV\[1\]/m)
    },
  )

  it.each(scripts)(
    '%s: names each key as a local at the top and never says KEYS[n] below',
    (name) => {
      const lua = source(name)
      const body = lua.slice(lua.indexOf(']]') + 2)
      const cut = body.search(/^--- @include/m)
      const top = cut < 0 ? body : body.slice(0, cut)
      const rest = cut < 0 ? '' : body.slice(cut)
      const keys = TABLE[name] ?? []
      const single = keys.filter((k) => k !== 'ready').length
      for (let i = 1; i <= single; i += 1) {
        expect(top, `${name}: KEYS[${i}] as a local`).toMatch(
          new RegExp(`local [^\\n]*=[^\\n]*KEYS\\[${i}\\]`),
        )
      }
      expect(rest.includes('KEYS['), `${name}: KEYS[n] below the locals`).toBe(false)
      if (keys.includes('ready')) expect(rest).toContain(`ready_keys(${single + 1})`)
    },
  )
})
