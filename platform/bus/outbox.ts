import type { EntityManager } from '@mikro-orm/postgresql';
import { makeEvent, type EventEnvelope } from './envelope.js';
import { OutboxEvent } from './outbox.entity.js';

/** Records an event in the caller's unit of work; it is written by the same flush/commit as the change. */
export function recordEvent<P>(em: EntityManager, type: string, source: string, payload: P): EventEnvelope<P> {
  const event = makeEvent(type, source, payload);
  em.persist(OutboxEvent.of(event as EventEnvelope));
  return event;
}
