/**
 * Generators of invalid requests for the fuzz test. Every request built here is
 * invalid by construction (a required field is missing or mistyped, the body does not
 * parse, the media type is wrong, or the target does not exist), so any 2xx answer is
 * a bug, as is any 5xx.
 */

/** mulberry32: tiny, fast and seedable, so a failing run reproduces from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number): number => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T
  return { next, int, pick }
}
export type Rng = ReturnType<typeof prng>

export interface HostileRequest {
  kind: string
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
}

const VALID: Record<string, () => Record<string, unknown>> = {
  '/enqueue-email': () => ({ to: 'user@example.com', subject: 'Nhắc nhở', body: 'Đây là' }),
  '/enqueue-sms': () => ({ phone: '+84912345678', message: 'Thông báo' }),
  '/jobs': () => ({ type: 'sms', payload: { phone: '+84912345678', message: 'hi' } }),
  '/jobs/batch': () => ({
    jobs: [{ type: 'email', payload: { to: 'a@example.com', subject: 's', body: 'b' } }],
  }),
}
export const JSON_ROUTES = Object.keys(VALID)

// The object whose required field gets broken: the top level, or the payload inside.
function target(route: string, body: Record<string, unknown>): Record<string, unknown> {
  if (route === '/jobs') return body.payload as Record<string, unknown>
  if (route === '/jobs/batch') {
    const [job] = body.jobs as Record<string, unknown>[]
    return job?.payload as Record<string, unknown>
  }
  return body
}

const WRONG_VALUES: unknown[] = [0, -1, 1e308, true, null, [], {}, ['x'], { a: 1 }]

function deep(levels: number, array: boolean): string {
  return array
    ? '['.repeat(levels) + ']'.repeat(levels)
    : '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
}

/** Inserts `"key": {...}` after every `{` of a JSON text, i.e. at every level. */
function atEveryLevel(json: string, member: string): string {
  return json.replace(/\{(?=.)/g, `{${member},`)
}

const PROTO_MEMBERS = [
  '"__proto__":{"polluted":"yes"}',
  '"constructor":{"prototype":{"polluted":"yes"}}',
  '"prototype":{"polluted":"yes"}',
]

const BAD_UTF8 = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80]]

const BAD_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  '%%%',
  'application/jsonx',
]

const MALFORMED = [
  '',
  '{',
  '{"to":}',
  '{"a":1,}',
  "{'to':'x'}",
  'NaN',
  '[1,2',
  '"\\u12"',
  '{"a":1}}',
]

/** A JSON body for `route`, broken in one required place and maybe decorated further. */
export function invalidJson(rng: Rng, route: string): { kind: string; text: string } {
  const body = VALID[route]?.() ?? {}
  const t = target(route, body)
  const field = rng.pick(Object.keys(t))
  const kinds: string[] = []
  if (rng.next() < 0.5) {
    delete t[field]
    kinds.push('missing')
  } else {
    t[field] = rng.pick(WRONG_VALUES)
    kinds.push('wrong-type')
  }
  if (rng.next() < 0.3) {
    body[`extra${rng.int(100)}`] = 'x'
    kinds.push('extra')
  }
  if (rng.next() < 0.1) {
    // Under the 1 MiB body limit, over any field's maxLength.
    body.huge = 'x'.repeat(200_000 + rng.int(700_000))
    kinds.push('huge-under')
  }
  let text = JSON.stringify(body)
  if (rng.next() < 0.1) {
    text = text.replace(/}$/, `,"deep":${deep(10_000, rng.next() < 0.5)}}`)
    kinds.push('deep')
  }
  if (rng.next() < 0.25) {
    text = atEveryLevel(text, rng.pick(PROTO_MEMBERS))
    kinds.push('proto')
  }
  return { kind: kinds.join('+'), text }
}

/** Any of the hostile shapes against one of the JSON routes. */
export function hostileJsonRequest(rng: Rng, route: string): HostileRequest {
  const json = { 'content-type': 'application/json' }
  const roll = rng.int(10)
  if (roll === 0)
    return { kind: 'malformed', url: route, headers: json, payload: rng.pick(MALFORMED) }
  if (roll === 1) {
    const { text } = invalidJson(rng, route)
    return {
      kind: 'truncated',
      url: route,
      headers: json,
      payload: text.slice(0, rng.int(text.length)),
    }
  }
  if (roll === 2 && rng.next() < 0.3) {
    return {
      kind: 'over-limit',
      url: route,
      headers: json,
      payload: `{"a":"${'x'.repeat(1024 * 1024 + rng.int(4096))}"}`,
    }
  }
  const { kind, text } = invalidJson(rng, route)
  if (roll === 3) {
    // Invalid UTF-8 inside a string value of an otherwise invalid body.
    const at = text.indexOf('"', 2) + 1
    const bytes = Buffer.from(rng.pick(BAD_UTF8))
    const buf = Buffer.concat([Buffer.from(text.slice(0, at)), bytes, Buffer.from(text.slice(at))])
    return { kind: `${kind}+bad-utf8`, url: route, headers: json, payload: buf }
  }
  if (roll === 4) {
    const headers: Record<string, string> = {}
    if (rng.next() < 0.8) headers['content-type'] = rng.pick(BAD_CONTENT_TYPES)
    return { kind: 'content-type', url: route, headers, payload: JSON.stringify(VALID[route]?.()) }
  }
  if (roll === 5) {
    const size = rng.pick([0, 1, 255, 256, 257, 1024, 65_536])
    const key = rng.next() < 0.2 ? 'ключ-🔑'.repeat(1 + rng.int(50)) : 'k'.repeat(size)
    const headers: Record<string, string> = { ...json, 'idempotency-key': key }
    if (rng.next() < 0.3) headers['x-request-id'] = 'r'.repeat(100_000)
    return { kind: `${kind}+idem-${key.length}`, url: route, headers, payload: text }
  }
  if (roll === 6) {
    const headers = {
      ...json,
      'x-filler': 'v'.repeat(1 + rng.int(1_000_000)),
      authorization: 'Bearer ' + 'z'.repeat(rng.int(100_000)),
    }
    return { kind: `${kind}+huge-header`, url: route, headers, payload: text }
  }
  return { kind, url: route, headers: json, payload: text }
}

/** Operator POSTs aimed at targets that do not exist, or with a body that does not parse. */
export function hostileOperatorRequest(rng: Rng): HostileRequest {
  const id = rng.pick(['nope', 'x'.repeat(1 + rng.int(300)), '..%2F..%2Fetc', '%00', 'a%20b'])
  const url = rng.pick([
    `/jobs/${id}/retry`,
    `/jobs/${id}/cancel`,
    `/queues/${id}/pause`,
    `/queues/${id}/resume`,
    `/queues/${id}/dead/requeue`,
  ])
  if (rng.next() < 0.3) {
    // A real queue, but a body that does not parse: the action must not run.
    return {
      kind: 'operator-malformed',
      url: rng.pick(['/queues/default/pause', '/queues/convert/dead/requeue']),
      headers: { 'content-type': 'application/json' },
      payload: rng.pick(MALFORMED.filter((m) => m !== '')),
    }
  }
  return {
    kind: 'operator-missing',
    url,
    headers: { 'content-type': 'application/json' },
    payload: '{}',
  }
}

/** Multipart bodies that must never become a stored upload. */
export function hostileUploadRequest(rng: Rng): HostileRequest {
  const boundary = `----fuzz${rng.int(1e9)}`
  const part = (name: string, filename: string | null, type: string, body: string | Buffer) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${name}"` +
          (filename === null ? '' : `; filename="${filename}"`) +
          `\r\ncontent-type: ${type}\r\n\r\n`,
      ),
      Buffer.isBuffer(body) ? body : Buffer.from(body),
      Buffer.from('\r\n'),
    ])
  const end = Buffer.from(`--${boundary}--\r\n`)
  const mp = { 'content-type': `multipart/form-data; boundary=${boundary}` }
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(64)])
  const noise = Buffer.from(Array.from({ length: 1 + rng.int(2000) }, () => rng.int(256)))
  const cases: (() => HostileRequest)[] = [
    () => ({
      kind: 'upload-json',
      url: '/uploads',
      headers: { 'content-type': 'application/json' },
      payload: '{"file":"x"}',
    }),
    () => ({
      kind: 'upload-no-boundary',
      url: '/uploads',
      headers: { 'content-type': 'multipart/form-data' },
      payload: noise,
    }),
    () => ({ kind: 'upload-noise', url: '/uploads', headers: mp, payload: noise }),
    () => ({
      kind: 'upload-no-file',
      url: '/uploads',
      headers: mp,
      payload: Buffer.concat([part('targetFormat', null, 'text/plain', 'json'), end]),
    }),
    () => ({
      kind: 'upload-wrong-field',
      url: '/uploads',
      headers: mp,
      payload: Buffer.concat([part('upload', 'a.csv', 'text/csv', 'a,b\n'), end]),
    }),
    () => ({
      kind: 'upload-elf-as-png',
      url: '/uploads',
      headers: mp,
      payload: Buffer.concat([
        part(
          'file',
          rng.pick(['x.png', '../../etc/passwd', 'a\u0000.csv', 'C:\\x.exe']),
          'image/png',
          elf,
        ),
        end,
      ]),
    }),
    () => ({
      kind: 'upload-noise-as-csv',
      url: '/uploads',
      headers: mp,
      payload: Buffer.concat([
        part('file', 'x.csv', 'text/csv', Buffer.concat([Buffer.from([0, 0, 0xff]), noise])),
        end,
      ]),
    }),
    () => ({
      kind: 'upload-bad-target',
      url: '/uploads?targetFormat=exe',
      headers: mp,
      payload: Buffer.concat([part('file', 'a.csv', 'text/csv', 'a,b\n1,2\n'), end]),
    }),
    () => ({
      kind: 'upload-truncated',
      url: '/uploads',
      headers: mp,
      payload: part('file', 'a.csv', 'text/csv', 'a,b\n1,2\n').subarray(0, 40 + rng.int(40)),
    }),
  ]
  return rng.pick(cases)()
}
