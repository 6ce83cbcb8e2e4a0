import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startTelemetry, type RunningTelemetry } from '../platform/telemetry/sdk.js';

/**
 * Tracing for a test file: the real SDK (same instrumentations and propagation as a process with tracing on), its spans
 * kept in memory. Import and start it before the stack is imported (pg and graphql are patched as they load): the
 * in-process stack runs every service here, so this one exporter sees the spans of all of them.
 */
export interface TestTracing {
  spans(): ReadableSpan[];
  /** Every finished span of that trace. */
  trace(traceId: string): ReadableSpan[];
  /** The names from the trace's root down to `span` (each parent found among the finished spans). */
  ancestry(span: ReadableSpan): string[];
  reset(): void;
  stop(): Promise<void>;
}

export function startTestTracing(serviceName = 'test-stack'): TestTracing {
  const exporter = new InMemorySpanExporter();
  const running: RunningTelemetry = startTelemetry({ serviceName, export: { exporter } });
  const spans = () => exporter.getFinishedSpans();
  return {
    spans,
    trace: (traceId) => spans().filter((s) => s.spanContext().traceId === traceId),
    ancestry(span) {
      const byId = new Map(spans().map((s) => [s.spanContext().spanId, s]));
      const names: string[] = [];
      for (let at: ReadableSpan | undefined = span; at; at = byId.get(at.parentSpanContext?.spanId ?? '')) {
        names.unshift(at.name);
        if (names.length > 100) break;
      }
      return names;
    },
    reset: () => exporter.reset(),
    stop: () => running.shutdown(),
  };
}
