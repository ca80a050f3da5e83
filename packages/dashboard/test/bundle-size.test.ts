import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

interface Metafile {
  outputs: Record<string, { imports: { path: string; kind: string }[]; entryPoint?: string }>
}

const dist = new URL('../dist/', import.meta.url)
const BUDGET = 60 * 1024

/** app.js and every chunk it imports statically: what the first page load fetches. */
function initialFiles(meta: Metafile): string[] {
  const seen = new Set<string>()
  const visit = (path: string) => {
    if (seen.has(path)) return
    seen.add(path)
    for (const i of meta.outputs[path]?.imports ?? []) {
      if (i.kind === 'import-statement') visit(i.path)
    }
  }
  visit('dist/app.js')
  return [...seen]
}

describe('the built dashboard', () => {
  const meta = JSON.parse(readFileSync(new URL('meta.json', dist), 'utf8')) as Metafile

  it(`loads at most ${BUDGET / 1024} KB of gzipped JavaScript up front`, () => {
    const files = initialFiles(meta)
    const bytes = files
      .map((f) => gzipSync(readFileSync(new URL(f.replace(/^dist\//, ''), dist))).length)
      .reduce((a, b) => a + b, 0)
    expect(files).toContain('dist/app.js')
    expect(bytes).toBeLessThanOrEqual(BUDGET)
  })

  it('loads the charts only where they are shown (a chunk of their own)', () => {
    const lazy = Object.entries(meta.outputs).filter(
      ([path, out]) =>
        path.endsWith('.js') && !initialFiles(meta).includes(path) && Object.keys(out).length > 0,
    )
    expect(lazy.length).toBeGreaterThan(0)
    const app = readFileSync(new URL('app.js', dist), 'utf8')
    expect(app).not.toContain('polyline')
  })

  it('references no other origin', () => {
    for (const f of ['index.html', 'app.css', 'app.js']) {
      const text = readFileSync(new URL(f, dist), 'utf8')
      expect(text, f).not.toMatch(/https?:\/\/(?!www\.w3\.org)/)
    }
  })

  it('has no inline script', () => {
    const html = readFileSync(new URL('index.html', dist), 'utf8')
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
  })
})
