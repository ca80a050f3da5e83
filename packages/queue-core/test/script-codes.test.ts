import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isConveyorError } from '../src/errors.js'
import { expectDone, SCRIPT_CODES } from '../src/script-codes.js'
import { LUA_DIR } from '../src/script-loader.js'

describe('script codes', () => {
  it('are the same table in lua/includes/codes.lua and script-codes.ts', () => {
    const lua = readFileSync(new URL('includes/codes.lua', LUA_DIR), 'utf8')
    const table: Record<string, number> = {}
    for (const m of lua.matchAll(/^\s+([a-z_]+) = (-?\d+),$/gm)) table[m[1] ?? ''] = Number(m[2])
    expect(table).toEqual(SCRIPT_CODES)
  })

  it('map to one outcome each: nothing for done, a ConveyorError with a code otherwise', () => {
    expect(() => expectDone(SCRIPT_CODES.done, 'q:1', 'x')).not.toThrow()
    const codeOf = (code: number) => {
      try {
        expectDone(code, 'q:1', 'x')
      } catch (err) {
        return isConveyorError(err) ? err.code : 'not a ConveyorError'
      }
      return 'no error'
    }
    expect(codeOf(SCRIPT_CODES.not_found)).toBe('job_not_found')
    expect(codeOf(SCRIPT_CODES.invalid_state)).toBe('invalid_state')
    expect(codeOf(SCRIPT_CODES.running)).toBe('invalid_state')
    expect(codeOf(99)).toBe('internal')
  })
})
