import type { NatsConnection, Subscription } from 'nats';
import { parseEvent, type EventEnvelope } from '../../platform/bus/envelope.js';
import type { Logger } from '../../platform/logger.js';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { contextFromNatsHeaders } from '../../platform/telemetry/propagation.js';
import { tracer } from '../../platform/telemetry/spans.js';

type Listener = (event: EventEnvelope) => void;

/**
 * One NATS subscription per subject for the whole process, however many sockets listen; events are
 * parsed once and handed to every listener of the subject.
 */
export class EventHub {
  private readonly subjects = new Map<string, { sub: Subscription; listeners: Set<Listener> }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
    private readonly subjectPrefix = '',
  ) {}

  listen(subject: string, listener: Listener): () => void {
    let entry = this.subjects.get(subject);
    if (!entry) {
      const sub = this.nc.subscribe(this.subjectPrefix + subject);
      const listeners = new Set<Listener>();
      entry = { sub, listeners };
      this.subjects.set(subject, entry);
      void this.pump(subject, sub, listeners);
    }
    entry.listeners.add(listener);
    return () => {
      const current = this.subjects.get(subject);
      if (!current) return;
      current.listeners.delete(listener);
      if (current.listeners.size === 0) {
        current.sub.unsubscribe();
        this.subjects.delete(subject);
      }
    };
  }

  private async pump(subject: string, sub: Subscription, listeners: Set<Listener>): Promise<void> {
    for await (const msg of sub) {
      let event: EventEnvelope;
      try {
        event = parseEvent(msg.data);
      } catch (err) {
        this.log.warn({ err, subject }, 'ignoring malformed event');
        continue;
      }
      // Listeners (and the follow-up queries and pushes they start) run in a span continuing the event's trace.
      const parent = contextFromNatsHeaders(msg.headers);
      const span = tracer.startSpan(
        `deliver ${subject}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: { 'messaging.system': 'nats', 'messaging.destination.name': msg.subject },
        },
        parent,
      );
      context.with(trace.setSpan(parent, span), () => {
        for (const listener of listeners) {
          try {
            listener(event);
          } catch (err) {
            this.log.error({ err, subject }, 'subscription listener failed');
          }
        }
      });
      span.end();
    }
  }

  close(): void {
    for (const { sub } of this.subjects.values()) sub.unsubscribe();
    this.subjects.clear();
  }
}
