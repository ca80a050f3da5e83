import { readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'

/** Every file under `root`, as paths relative to it, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const path = join(dir, e.name)
      if (e.isDirectory()) await walk(path)
      else out.push(relative(root, path))
    }
  }
  await walk(root)
  return out.sort()
}
