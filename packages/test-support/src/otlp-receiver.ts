import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  double,
  fixed64,
  has,
  hex,
  int,
  message,
  messages,
  readMessage,
  text,
  type Fields,
} from './protobuf-reader.js'

type Value = string | number | boolean | Value[] | null

/** A span as a collector received it, from any service. */
export interface ReceivedSpan {
  service: string
  traceId: string
  spanId: string
  /** '' for a root span */
  parentSpanId: string
  name: string
  /** OTLP's numbers: 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind: number
  attributes: Record<string, Value>
  /** 0 unset, 1 ok, 2 error */
  status: { code: number; message: string }
  events: string[]
}

/** One data point of a metric (a gauge's or a sum's value, a histogram's count). */
export interface ReceivedPoint {
  service: string
  metric: string
  attributes: Record<string, Value>
  value: number
}

// ---- protobuf (http/protobuf) ----

function anyValue(v: Fields): Value {
  if (has(v, 1)) return text(v, 1)
  if (has(v, 2)) return int(v, 2) === 1
  if (has(v, 3)) return int(v, 3)
  if (has(v, 4)) return double(v, 4) ?? null
  if (has(v, 5)) return messages(message(v, 5), 1).map(anyValue)
  return null
}

function attributesOf(list: Fields[]): Record<string, Value> {
  return Object.fromEntries(list.map((kv) => [text(kv, 1), anyValue(message(kv, 2))]))
}

function serviceOf(resource: Fields): string {
  return String(attributesOf(messages(resource, 1))['service.name'] ?? '')
}

function spansFromProtobuf(body: Uint8Array): ReceivedSpan[] {
  return messages(readMessage(body), 1).flatMap((rs) => {
    const service = serviceOf(message(rs, 1))
    return messages(rs, 2).flatMap((ss) =>
      messages(ss, 2).map((s) => {
        const status = message(s, 15)
        return {
          service,
          traceId: hex(s, 1),
          spanId: hex(s, 2),
          parentSpanId: hex(s, 4),
          name: text(s, 5),
          kind: int(s, 6),
          attributes: attributesOf(messages(s, 9)),
          status: { code: int(status, 3), message: text(status, 2) },
          events: messages(s, 11).map((e) => text(e, 2)),
        }
      }),
    )
  })
}

function pointsFromProtobuf(body: Uint8Array): ReceivedPoint[] {
  return messages(readMessage(body), 1).flatMap((rm) => {
    const service = serviceOf(message(rm, 1))
    return messages(rm, 2).flatMap((sm) =>
      messages(sm, 2).flatMap((m) => {
        const metric = text(m, 1)
        const numbers = [...messages(message(m, 5), 1), ...messages(message(m, 7), 1)].map((p) => ({
          service,
          metric,
          attributes: attributesOf(messages(p, 7)),
          value: double(p, 4) ?? fixed64(p, 6) ?? 0,
        }))
        const histograms = messages(message(m, 9), 1).map((p) => ({
          service,
          metric,
          attributes: attributesOf(messages(p, 9)),
          value: fixed64(p, 4) ?? 0,
        }))
        return [...numbers, ...histograms]
      }),
    )
  })
}

// ---- JSON (http/json) ----

interface JsonKv {
  key: string
  value: Record<string, unknown>
}

function jsonValue(v: Record<string, unknown>): Value {
  if ('stringValue' in v) return String(v.stringValue)
  if ('boolValue' in v) return Boolean(v.boolValue)
  if ('intValue' in v) return Number(v.intValue)
  if ('doubleValue' in v) return Number(v.doubleValue)
  if ('arrayValue' in v) {
    const values = (v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []
    return values.map(jsonValue)
  }
  return null
}

const jsonAttributes = (list: JsonKv[] | undefined) =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]))

interface JsonResource {
  resource?: { attributes?: JsonKv[] }
}

const jsonService = (r: JsonResource) =>
  String(jsonAttributes(r.resource?.attributes)['service.name'] ?? '')

function spansFromJson(body: string): ReceivedSpan[] {
  type JsonSpan = {
    traceId: string
    spanId: string
    parentSpanId?: string
    name: string
    kind: number
    attributes?: JsonKv[]
    status?: { code?: number; message?: string }
    events?: { name: string }[]
  }
  const request = JSON.parse(body) as {
    resourceSpans?: (JsonResource & { scopeSpans?: { spans?: JsonSpan[] }[] })[]
  }
  return (request.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        service: jsonService(rs),
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        name: s.name,
        kind: s.kind,
        attributes: jsonAttributes(s.attributes),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
        events: (s.events ?? []).map((e) => e.name),
      })),
    ),
  )
}

function pointsFromJson(body: string): ReceivedPoint[] {
  type JsonPoint = {
    attributes?: JsonKv[]
    asDouble?: number
    asInt?: number | string
    count?: number | string
  }
  type JsonMetric = {
    name: string
    gauge?: { dataPoints?: JsonPoint[] }
    sum?: { dataPoints?: JsonPoint[] }
    histogram?: { dataPoints?: JsonPoint[] }
  }
  const request = JSON.parse(body) as {
    resourceMetrics?: (JsonResource & { scopeMetrics?: { metrics?: JsonMetric[] }[] })[]
  }
  return (request.resourceMetrics ?? []).flatMap((rm) =>
    (rm.scopeMetrics ?? []).flatMap((sm) =>
      (sm.metrics ?? []).flatMap((m) =>
        [
          ...(m.gauge?.dataPoints ?? []),
          ...(m.sum?.dataPoints ?? []),
          ...(m.histogram?.dataPoints ?? []),
        ].map((p) => ({
          service: jsonService(rm),
          metric: m.name,
          attributes: jsonAttributes(p.attributes),
          value: Number(p.asDouble ?? p.asInt ?? p.count ?? 0),
        })),
      ),
    ),
  )
}

/**
 * An OTLP/HTTP collector for tests: takes POST /v1/traces and /v1/metrics in
 * protobuf or JSON (by Content-Type), keeps what it decoded, answers 200.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = []
  readonly points: ReceivedPoint[] = []
  /** the encodings seen, e.g. "traces application/x-protobuf" */
  readonly requests: string[] = []
  private readonly server: Server

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const type = (req.headers['content-type'] ?? '').split(';')[0] ?? ''
        const json = type === 'application/json'
        try {
          if (req.url === '/v1/traces') {
            this.spans.push(
              ...(json ? spansFromJson(body.toString('utf8')) : spansFromProtobuf(body)),
            )
            this.requests.push(`traces ${type}`)
          } else if (req.url === '/v1/metrics') {
            this.points.push(
              ...(json ? pointsFromJson(body.toString('utf8')) : pointsFromProtobuf(body)),
            )
            this.requests.push(`metrics ${type}`)
          } else {
            res.writeHead(404).end()
            return
          }
        } catch (err) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err))
          return
        }
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
        res.end(json ? '{}' : undefined)
      })
    })
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver()
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve))
    return receiver
  }

  /** The OTEL_EXPORTER_OTLP_ENDPOINT to give the services. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
