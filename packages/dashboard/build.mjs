// Builds the dashboard into dist/: app.js (the initial bundle), lazy chunks, app.css and
// index.html. dist/meta.json (esbuild's metafile) lets the bundle-size test find what
// the first page load fetches.
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises'
import { build } from 'esbuild'

await rm('dist', { recursive: true, force: true })
await mkdir('dist', { recursive: true })
const result = await build({
  entryPoints: { app: 'src/main.tsx' },
  bundle: true,
  splitting: true,
  format: 'esm',
  outdir: 'dist',
  chunkNames: 'chunk-[hash]',
  minify: true,
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
})
await writeFile('dist/meta.json', JSON.stringify(result.metafile))
await copyFile('src/index.html', 'dist/index.html')
await copyFile('src/app.css', 'dist/app.css')
