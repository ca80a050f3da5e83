import { context, trace, type Tracer } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics'
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import type { TelemetrySettings } from './config.js'
import { consumerWrapper } from './consumer.js'
import { fireTracer } from './fire.js'
import { httpServerSpans } from './http-server.js'
import { producerInstrumenter } from './producer.js'
import { queueObserver } from './queue-metrics.js'
import type { Telemetry } from './telemetry.js'

/** For tests: where spans and metrics go instead of the configured exporters. */
export interface TelemetryOverrides {
  spanExporter?: SpanExporter
  /** e.g. SimpleSpanProcessor around an in-memory exporter, to see each span at once */
  spanProcessor?: SpanProcessor
  metricReader?: MetricReader
}

function sampler(settings: TelemetrySettings): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.samplerRatio)
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'traceidratio':
      return ratio
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio })
  }
}

async function spanExporter(settings: TelemetrySettings): Promise<SpanExporter | null> {
  const target = settings.traces
  if (!target) return null
  if (target.kind === 'console') return new ConsoleSpanExporter()
  const options = { url: target.url, headers: settings.headers }
  // Only the exporter for the chosen encoding is loaded.
  if (settings.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http')
    return new OTLPTraceExporter(options)
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto')
  return new OTLPTraceExporter(options)
}

async function metricExporter(settings: TelemetrySettings): Promise<PushMetricExporter | null> {
  const target = settings.metrics
  if (!target) return null
  if (target.kind === 'console') return new ConsoleMetricExporter()
  const options = { url: target.url, headers: settings.headers }
  if (settings.protocol === 'http/json') {
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http')
    return new OTLPMetricExporter(options)
  }
  const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto')
  return new OTLPMetricExporter(options)
}

/** Builds the SDK for one service: tracer and meter providers, exporters, context. */
export async function startSdk(
  settings: TelemetrySettings,
  overrides: TelemetryOverrides = {},
): Promise<Telemetry> {
  const resource = resourceFromAttributes({
    ...settings.resourceAttributes,
    'service.name': settings.serviceName,
  })
  const exporter = overrides.spanExporter ?? (await spanExporter(settings))
  const processors: SpanProcessor[] = []
  if (overrides.spanProcessor) processors.push(overrides.spanProcessor)
  else if (exporter)
    processors.push(
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: settings.spanDelayMs }),
    )
  const tracerProvider = new BasicTracerProvider({
    resource,
    sampler: sampler(settings),
    spanProcessors: processors,
  })
  const pushExporter = await metricExporter(settings)
  const readers: MetricReader[] = []
  if (overrides.metricReader) readers.push(overrides.metricReader)
  else if (pushExporter)
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: pushExporter,
        exportIntervalMillis: settings.metricIntervalMs,
        exportTimeoutMillis: Math.min(30_000, settings.metricIntervalMs),
      }),
    )
  const meterProvider = new MeterProvider({ resource, readers })
  // Spans started inside a handler, an HTTP route or a fire find their parent through
  // the active context, carried across awaits by AsyncLocalStorage.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const tracer: Tracer = tracerProvider.getTracer('@conveyor/telemetry')
  const meter = meterProvider.getMeter('@conveyor/telemetry')
  return {
    serviceName: settings.serviceName,
    instrumentHandlers: consumerWrapper(tracer, meter),
    instrumentProducer: producerInstrumenter(tracer, meter),
    traceFire: fireTracer(tracer),
    startHttpServerSpan: httpServerSpans(tracer),
    observeQueues: queueObserver(meter),
    shutdown: async () => {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()])
      context.disable()
      trace.disable()
    },
  }
}
