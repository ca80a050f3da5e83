import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'

// queue-core's scripts as its loader sends them (script-loader.ts: `--- @include` lines
// inlined once each), so that a SLOWLOG entry's EVALSHA can be named.
const LUA_DIR = new URL('../lua/', import.meta.resolve('@conveyor/queue-core'))
const INCLUDE = /^--- @include "([a-z-]+)"\s*$/gm

function flatten(source: string, seen: Set<string>): string {
  return source.replace(INCLUDE, (_line, name: string) => {
    if (seen.has(name)) return ''
    seen.add(name)
    return flatten(readFileSync(new URL(`includes/${name}.lua`, LUA_DIR), 'utf8'), seen)
  })
}

let names: Map<string, string> | undefined

/** sha1 → script name ("reserve.lua") for every script queue-core ships. */
export function scriptNames(): Map<string, string> {
  if (!names) {
    names = new Map()
    for (const file of readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'))) {
      const lua = flatten(readFileSync(new URL(file, LUA_DIR), 'utf8'), new Set())
      names.set(createHash('sha1').update(lua).digest('hex'), file)
    }
  }
  return names
}
