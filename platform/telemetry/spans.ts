import {
  context,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanKind,
} from '@opentelemetry/api';

/** The tracer of this code base's own spans (the instrumentations have theirs). A no-op while tracing is off. */
export const tracer = trace.getTracer('custody-supergraph');

export interface SpanSettings {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The context the span continues (a remote parent from a message, say); the active one by default. */
  parent?: Context;
  /** Starts a new trace, ignoring the active span (a watcher's step, the gateway's request). */
  root?: boolean;
}

/**
 * Runs `work` in a span that is active for everything it awaits (queries, publishes, calls), ends it when the work
 * settles, and records a failure on it.
 */
export function inSpan<T>(name: string, settings: SpanSettings, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = settings.parent ?? context.active();
  return tracer.startActiveSpan(
    name,
    { kind: settings.kind, attributes: settings.attributes, root: settings.root },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
