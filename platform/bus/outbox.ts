import type { EntityManager } from '@mikro-orm/postgresql';
import { makeEvent, type EventEnvelope } from './envelope.js';
import { OutboxEvent } from './outbox.entity.js';
import { traceCarrier } from '../telemetry/propagation.js';

/**
 * The Postgres schemas whose outbox the relay drains: the subgraphs that publish events. The relay process knows
 * them by name, without loading the subgraphs; tests/contract/outbox-schemas.test.ts keeps it equal to the
 * subgraphs that declare an outbox.
 */
export const OUTBOX_SCHEMAS: readonly string[] = [
  'identity',
  'wallet',
  'market',
  'ledger',
  'kyc',
  'support',
  'payment',
  'voucher',
];

/**
 * Records an event in the caller's unit of work; it is written by the same flush/commit as the change. The active trace
 * context goes with it (the relay hands it on in the message headers).
 */
export function recordEvent<P>(em: EntityManager, type: string, source: string, payload: P): EventEnvelope<P> {
  const event = makeEvent(type, source, payload);
  const trace = traceCarrier();
  if (trace) event.trace = trace;
  em.persist(OutboxEvent.of(event as EventEnvelope));
  return event;
}
