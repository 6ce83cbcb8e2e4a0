import { context, propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from 'nats';

/** W3C trace context as plain fields (`traceparent`, `tracestate`): what an event or a message header carries. */
export type TraceCarrier = Record<string, string>;

/** The trace context of `ctx` (the active one by default) as carrier fields; null when no span is in it. */
export function traceCarrier(ctx: Context = context.active()): TraceCarrier | null {
  if (!trace.getSpanContext(ctx)) return null;
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent ? carrier : null;
}

/** `parent` (an empty context by default) continued from carrier fields or HTTP request headers; unchanged without them. */
export function contextFromCarrier(
  carrier: Record<string, string | string[] | undefined> | null | undefined,
  parent: Context = ROOT_CONTEXT,
): Context {
  return carrier ? propagation.extract(parent, carrier) : parent;
}

/** Whether `ctx` holds a span (an incoming request already traced by the http instrumentation, say). */
export function hasSpan(ctx: Context = context.active()): boolean {
  return trace.getSpanContext(ctx) !== undefined;
}

/** NATS message headers carrying a trace context; undefined when there is none (the message goes out without). */
export function natsTraceHeaders(carrier: TraceCarrier | null | undefined, into?: MsgHdrs): MsgHdrs | undefined {
  if (!carrier) return into;
  const headers = into ?? natsHeaders();
  for (const [key, value] of Object.entries(carrier)) headers.set(key, value);
  return headers;
}

const natsGetter: TextMapGetter<MsgHdrs> = {
  keys: (headers) => headers.keys(),
  get: (headers, key) => (headers.has(key) ? headers.get(key) : undefined),
};

/** The trace context a NATS message's headers carry, continued from `parent`; `parent` when they carry none. */
export function contextFromNatsHeaders(headers: MsgHdrs | undefined, parent: Context = ROOT_CONTEXT): Context {
  return headers ? propagation.extract(parent, headers, natsGetter) : parent;
}
