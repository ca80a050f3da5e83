/**
 * Just enough of the protobuf wire format to read OTLP requests in tests: a message
 * is read into its fields by number, each a list of raw values (a varint as bigint,
 * a length-delimited field as bytes, fixed64/fixed32 as bytes). What a field means is
 * for the caller to say, with the helpers below.
 */
export type Fields = Map<number, (bigint | Uint8Array)[]>

function varint(buf: Uint8Array, at: { pos: number }): bigint {
  let result = 0n
  let shift = 0n
  for (;;) {
    const byte = buf[at.pos++]
    if (byte === undefined) throw new Error('protobuf: truncated varint')
    result |= BigInt(byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return result
    shift += 7n
  }
}

export function readMessage(buf: Uint8Array): Fields {
  const fields: Fields = new Map()
  const at = { pos: 0 }
  while (at.pos < buf.length) {
    const tag = Number(varint(buf, at))
    const field = tag >>> 3
    let value: bigint | Uint8Array
    switch (tag & 7) {
      case 0:
        value = varint(buf, at)
        break
      case 1:
        value = buf.subarray(at.pos, (at.pos += 8))
        break
      case 2: {
        const length = Number(varint(buf, at))
        value = buf.subarray(at.pos, (at.pos += length))
        break
      }
      case 5:
        value = buf.subarray(at.pos, (at.pos += 4))
        break
      default:
        throw new Error(`protobuf: wire type ${tag & 7} not supported`)
    }
    const list = fields.get(field) ?? []
    list.push(value)
    fields.set(field, list)
  }
  return fields
}

const bytes = (v: bigint | Uint8Array | undefined) =>
  v instanceof Uint8Array ? v : new Uint8Array()

export const messages = (f: Fields, n: number): Fields[] =>
  (f.get(n) ?? []).map((v) => readMessage(bytes(v)))
export const message = (f: Fields, n: number): Fields => messages(f, n)[0] ?? (new Map() as Fields)
export const text = (f: Fields, n: number): string => new TextDecoder().decode(bytes(f.get(n)?.[0]))
export const hex = (f: Fields, n: number): string =>
  Buffer.from(bytes(f.get(n)?.[0])).toString('hex')
export const int = (f: Fields, n: number): number => {
  const v = f.get(n)?.[0]
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : 0
}
export const double = (f: Fields, n: number): number | undefined => {
  const v = f.get(n)?.[0]
  return v instanceof Uint8Array ? Buffer.from(v).readDoubleLE(0) : undefined
}
export const fixed64 = (f: Fields, n: number): number | undefined => {
  const v = f.get(n)?.[0]
  return v instanceof Uint8Array ? Number(Buffer.from(v).readBigInt64LE(0)) : undefined
}
export const has = (f: Fields, n: number): boolean => f.has(n)
