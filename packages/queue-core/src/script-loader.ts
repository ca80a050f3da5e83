import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { BatchScriptName, FlowScriptName, RequestScriptName, ScriptName } from './keys.js'
import type { ScheduleScriptName } from './schedules/schedule-keys.js'

/**
 * Reads the Lua scripts shipped in the package's `lua/` folder and flattens their
 * `--- @include "name"` lines (each include once per script). Reading at load time
 * instead of generating a TypeScript module keeps the source of truth in `.lua`
 * files with no build step between an edit and a test run.
 */
export const LUA_DIR = new URL('../lua/', import.meta.url)
const INCLUDE = /^--- @include "([a-z-]+)"\s*$/gm

/** A queue's scripts, the schedule store's and a flow's. */
export type LoadableScript =
  ScriptName | ScheduleScriptName | FlowScriptName | BatchScriptName | RequestScriptName

export interface LoadedScript {
  name: LoadableScript
  lua: string
  sha: string
}

/** A script's source with its includes inlined (exported for tests of the includes). */
export function flattenLua(source: string, seen = new Set<string>()): string {
  return source.replace(INCLUDE, (_line, name: string) => {
    if (seen.has(name)) return ''
    seen.add(name)
    const body = readFileSync(new URL(`includes/${name}.lua`, LUA_DIR), 'utf8')
    return flattenLua(body, seen)
  })
}

const cache = new Map<LoadableScript, LoadedScript>()

export function loadScript(name: LoadableScript): LoadedScript {
  let script = cache.get(name)
  if (!script) {
    const lua = flattenLua(readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8'))
    script = { name, lua, sha: createHash('sha1').update(lua).digest('hex') }
    cache.set(name, script)
  }
  return script
}
