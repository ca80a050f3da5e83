import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))

it('loads nothing at run time but its own modules and Node’s (the schemas are types only)', async () => {
  const files = (await readdir(dist)).filter((f) => f.endsWith('.js'))
  expect(files.length).toBeGreaterThan(3)
  const imported = new Set<string>()
  for (const file of files) {
    const text = await readFile(`${dist}${file}`, 'utf8')
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm))
      imported.add(m[1] ?? '')
    for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) imported.add(m[1] ?? '')
  }
  const outside = [...imported].filter((s) => !s.startsWith('./') && !s.startsWith('node:'))
  expect(outside).toEqual([])
})
