import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { headers as natsHeaders } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestTracing } from '../../testing/tracing.js';
import { createLogger } from '../logger.js';
import { contextFromCarrier, contextFromNatsHeaders, natsTraceHeaders, traceCarrier } from './propagation.js';
import { inSpan, tracer } from './spans.js';

const tracing = startTestTracing('propagation-test');
afterAll(() => tracing.stop());

describe('trace propagation helpers', () => {
  it('carry no context outside a span', () => {
    expect(traceCarrier()).toBeNull();
    expect(natsTraceHeaders(null)).toBeUndefined();
    expect(trace.getSpanContext(contextFromCarrier(undefined))).toBeUndefined();
    expect(trace.getSpanContext(contextFromNatsHeaders(natsHeaders()))).toBeUndefined();
  });

  it('a W3C traceparent of the active span, continued from carrier fields, HTTP headers and NATS headers', async () => {
    await inSpan('origin', {}, async (span) => {
      const { traceId, spanId } = span.spanContext();
      const carrier = traceCarrier()!;
      expect(carrier.traceparent).toBe(`00-${traceId}-${spanId}-01`);

      const fromFields = trace.getSpanContext(contextFromCarrier({ ...carrier }))!;
      expect(fromFields).toMatchObject({ traceId, spanId, isRemote: true });

      const fromHttp = trace.getSpanContext(contextFromCarrier({ traceparent: [carrier.traceparent!] }))!;
      expect(fromHttp.spanId).toBe(spanId);

      const headers = natsTraceHeaders(carrier)!;
      expect(headers.get('traceparent')).toBe(carrier.traceparent);
      expect(trace.getSpanContext(contextFromNatsHeaders(headers))).toMatchObject({ traceId, spanId });
    });
  });

  it('a span started from a carried context is a child in the same trace', async () => {
    const parent = tracer.startSpan('producer');
    const carrier = traceCarrier(trace.setSpan(context.active(), parent))!;
    parent.end();
    await inSpan('consumer', { parent: contextFromNatsHeaders(natsTraceHeaders(carrier)) }, async () => undefined);
    const consumer = tracing.spans().find((s) => s.name === 'consumer')!;
    expect(consumer.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });

  it('records a failure on the span and rethrows it', async () => {
    await expect(
      inSpan('failing', {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const failing = tracing.spans().find((s) => s.name === 'failing')!;
    expect(failing.status.code).toBe(2);
    expect(failing.events.some((e) => e.name === 'exception')).toBe(true);
  });

  it('root spans ignore the active one', async () => {
    await inSpan('outer', {}, () => inSpan('new root', { root: true }, async () => undefined));
    const root = tracing.spans().find((s) => s.name === 'new root')!;
    expect(root.parentSpanContext).toBeUndefined();
  });
});

describe('log lines inside a span', () => {
  it('carry trace_id and span_id; lines outside carry neither', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write: (chunk, _enc, done) => {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const log = createLogger({ name: 'test', level: 'info', destination });
    log.info('outside');
    const ids = await inSpan('logging', {}, async (span) => {
      log.info('inside');
      return span.spanContext();
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId, msg: 'inside' });
  });
});
