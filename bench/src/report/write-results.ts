import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url))

/** Writes results/<timestamp>.json, results/latest.json and results/latest.svg; returns the paths. */
export async function writeResults(
  report: unknown,
  svg: string,
  startedAt: Date,
): Promise<string[]> {
  await mkdir(RESULTS_DIR, { recursive: true })
  const stamp = startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z')
  const json = `${JSON.stringify(report, null, 2)}\n`
  const files = [
    `${RESULTS_DIR}${stamp}.json`,
    `${RESULTS_DIR}latest.json`,
    `${RESULTS_DIR}latest.svg`,
  ]
  await writeFile(files[0] ?? '', json)
  await writeFile(files[1] ?? '', json)
  await writeFile(files[2] ?? '', svg)
  return files
}
