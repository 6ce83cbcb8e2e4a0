import { readFileSync } from 'node:fs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { resourceFromAttributes } from '@opentelemetry/resources';

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (spans go to `<endpoint>/v1/traces`), or an exporter of one's own (tests: in memory). */
  export: { endpoint: string } | { exporter: SpanExporter; batch?: boolean };
}

export interface RunningTelemetry {
  /** Exports what is still buffered and stops tracing. */
  shutdown(): Promise<void>;
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Starts the OpenTelemetry SDK for this process: its service resource, W3C trace context propagation, and the http,
 * pg, ioredis and graphql instrumentations (they patch modules as they are loaded, so this runs before the
 * application is imported: see register.ts). Spans are batched to the OTLP endpoint; an exporter of one's own is fed
 * span by span unless `batch` is set.
 */
export function startTelemetry(options: TelemetryOptions): RunningTelemetry {
  const spanProcessor =
    'endpoint' in options.export
      ? new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${options.export.endpoint.replace(/\/$/, '')}/v1/traces` }),
        })
      : options.export.batch
        ? new BatchSpanProcessor({ exporter: options.export.exporter })
        : new SimpleSpanProcessor({ exporter: options.export.exporter });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: VERSION,
    }),
    resourceDetectors: [],
    spanProcessors: [spanProcessor],
    // Traces only: metrics are Prometheus (/metrics), logs pino; without these the SDK would push both over OTLP.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      // Health checks and metrics scrapes are not traffic worth a trace.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(health|ready|live|metrics)/.test(req.url ?? ''),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      // parse, validate and execute per operation; no span per resolved field: on bench:gateway those made most of
      // the exported bytes and halved throughput, while the subgraph's own span and pg spans already show the time.
      new GraphQLInstrumentation({ mergeItems: true, ignoreResolveSpans: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
