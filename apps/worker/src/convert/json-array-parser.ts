import { Transform, type TransformCallback } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { ConveyorError } from '@conveyor/queue-core'

/** One element bigger than this is refused rather than held in memory. */
export const MAX_ELEMENT_CHARS = 16 * 1024 * 1024

/** One element of the array and its position (1 = the first). */
export interface JsonElement {
  index: number
  value: unknown
}

type State = 'start' | 'before-value' | 'value' | 'after-value' | 'done'

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/**
 * Reads a top-level JSON array from bytes and emits its elements one by one, each as
 * a JsonElement (object mode cannot carry a bare null, which ends a stream), so an array of any length passes through in the memory of one element. It
 * only finds where each element ends (tracking strings, escapes and nesting) and hands
 * that text to JSON.parse, which does the real checking.
 */
export class JsonArrayParser extends Transform {
  private state: State = 'start'
  private readonly decoder = new StringDecoder('utf8')
  private parts: string[] = []
  private partsLength = 0
  private depth = 0
  private inString = false
  private escaped = false
  private elements = 0

  constructor() {
    super({ readableObjectMode: true })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.scan(this.decoder.write(chunk))
      callback()
    } catch (err) {
      callback(err as Error)
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.scan(this.decoder.end())
      if (this.state !== 'done') throw invalid('the JSON array is not closed (the file ends early)')
      callback()
    } catch (err) {
      callback(err as Error)
    }
  }

  private scan(text: string): void {
    let start = 0
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i)
      switch (this.state) {
        case 'start':
          if (isSpace(c) || c === 0xfeff) break
          if (c !== 0x5b) throw invalid('the file is not a JSON array (it must start with "[")')
          this.state = 'before-value'
          break
        case 'before-value':
          if (isSpace(c)) break
          if (c === 0x5d && this.elements === 0) {
            this.state = 'done'
            break
          }
          this.state = 'value'
          start = i
          i -= 1 // look at this character again as the first of the value
          break
        case 'value': {
          const end = this.valueEnd(c)
          if (end === 'inclusive') this.finish(text, start, i + 1)
          else if (end === 'before') {
            this.finish(text, start, i)
            i -= 1 // the comma, space or "]" belongs to the array, not the value
          }
          break
        }
        case 'after-value':
          if (isSpace(c)) break
          if (c === 0x2c) this.state = 'before-value'
          else if (c === 0x5d) this.state = 'done'
          else throw invalid(`unexpected "${text[i]}" after element ${this.elements}`)
          break
        case 'done':
          if (!isSpace(c)) throw invalid('there is more after the end of the JSON array')
          break
      }
    }
    if (this.state === 'value') this.append(text.slice(start))
  }

  /**
   * Feeds one character of a value: 'inclusive' when the value ends with it (a closing
   * quote or bracket), 'before' when it ends just before it (a comma, space or "]"
   * after a bare number, true, false or null), else 'no'.
   */
  private valueEnd(c: number): 'no' | 'inclusive' | 'before' {
    if (this.inString) {
      if (this.escaped) this.escaped = false
      else if (c === 0x5c) this.escaped = true
      else if (c === 0x22) {
        this.inString = false
        if (this.depth === 0) return 'inclusive'
      }
      return 'no'
    }
    if (c === 0x22) this.inString = true
    else if (c === 0x7b || c === 0x5b) this.depth += 1
    else if (c === 0x7d || c === 0x5d) {
      if (this.depth === 0) return 'before'
      this.depth -= 1
      if (this.depth === 0) return 'inclusive'
    } else if (this.depth === 0 && (c === 0x2c || isSpace(c))) return 'before'
    return 'no'
  }

  private append(piece: string): void {
    this.partsLength += piece.length
    if (this.partsLength > MAX_ELEMENT_CHARS)
      throw invalid(`element ${this.elements + 1} is larger than ${MAX_ELEMENT_CHARS} characters`)
    this.parts.push(piece)
  }

  private finish(text: string, start: number, end: number): void {
    this.append(text.slice(start, end))
    const source = this.parts.join('')
    this.parts = []
    this.partsLength = 0
    this.depth = 0
    this.inString = false
    this.escaped = false
    this.elements += 1
    let value: unknown
    try {
      value = JSON.parse(source)
    } catch (err) {
      throw invalid(`element ${this.elements} is not valid JSON: ${(err as Error).message}`)
    }
    this.state = 'after-value'
    const element: JsonElement = { index: this.elements, value }
    this.push(element)
  }
}

function invalid(message: string): ConveyorError {
  return ConveyorError.permanent(`the JSON is malformed: ${message}`)
}
