import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { database, nats } from '../pieces.js';

/** The outbox relay: every subgraph's outbox table → JetStream. No tokens, no custody keys. */
const outbox = section(
  {
    OUTBOX_POLL_MS: positiveInt.default(500),
    /** How long a published outbox row is kept (JetStream holds the event itself). */
    OUTBOX_RETENTION_DAYS: positiveInt.default(7),
    OUTBOX_RELAY_PORT: port.default(4190),
  },
  (e) => ({ pollMs: e.OUTBOX_POLL_MS, port: e.OUTBOX_RELAY_PORT, retentionDays: e.OUTBOX_RETENTION_DAYS }),
);

export const outboxRelayProcess = defineProcess('outbox-relay', { database, nats, outbox });
export type OutboxRelayConfig = ConfigOf<typeof outboxRelayProcess>;
