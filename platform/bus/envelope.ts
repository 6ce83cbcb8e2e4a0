import { newId } from '../ids.js';

/** Every event on the bus: keys and facts only; consumers fetch the rest through federation. */
export interface EventEnvelope<P = Record<string, unknown>> {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  source: string;
  payload: P;
  /**
   * The W3C trace context (`traceparent`, `tracestate`) of the change that recorded the event, when it was traced: the
   * relay publishes it as message headers, so the consumers' work continues the same trace. Absent when tracing is off.
   */
  trace?: Record<string, string>;
}

export function makeEvent<P>(type: string, source: string, payload: P, version = 1): EventEnvelope<P> {
  if (!/^[a-z]+\.[a-z-]+\.[a-z-]+$/.test(type))
    throw new Error(`event type "${type}" is not <domain>.<aggregate>.<verb>`);
  return { id: newId('evt'), type, version, occurredAt: new Date().toISOString(), source, payload };
}

export function parseEvent(data: Uint8Array): EventEnvelope {
  const value = JSON.parse(new TextDecoder().decode(data)) as EventEnvelope;
  if (typeof value?.id !== 'string' || typeof value.type !== 'string' || typeof value.payload !== 'object') {
    throw new Error('not an event envelope');
  }
  return value;
}
