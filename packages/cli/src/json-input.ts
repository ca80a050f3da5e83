import { readFile } from 'node:fs/promises'
import { UsageError } from './exit-codes.js'

/** `text` parsed as JSON; a UsageError naming `what` when it is not JSON. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new UsageError(`${what} is not JSON: ${(err as Error).message}`)
  }
}

/** The JSON document in the file at `path`, or on standard input for `-`. */
export async function readJsonInput(path: string): Promise<unknown> {
  let text: string
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`)
  }
  return parseJson(text, path === '-' ? 'standard input' : path)
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
