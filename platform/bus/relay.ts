import type pg from 'pg';
import { BackoffLoop } from '../backoff.js';
import type { JetStreamClient } from 'nats';
import type { Logger } from '../logger.js';
import { SpanKind } from '@opentelemetry/api';
import { contextFromCarrier, natsTraceHeaders, traceCarrier, type TraceCarrier } from '../telemetry/propagation.js';
import { inSpan } from '../telemetry/spans.js';

export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** A dedicated connection string for LISTEN (the pool's clients come and go). */
  listenUrl: string;
  /**
   * Where a schema's rows are published: one client for all, or one per schema (the relay worker connects
   * as each schema's own outbox user, so the server refuses a row whose subject is another domain's).
   */
  js: JetStreamClient | ((schema: string) => JetStreamClient);
  schemas: string[];
  /** Prepended to each event's subject (config.nats.subjectPrefix). */
  subjectPrefix: string;
  log: Logger;
  pollMs: number;
  batchSize?: number;
  onPublished?: (schema: string, count: number) => void;
}

/** PostgreSQL's undefined_table: the schema has no outbox (yet). */
export const UNDEFINED_TABLE = '42P01';

interface OutboxRow {
  id: string;
  subject: string;
  envelope: unknown;
}

/**
 * Moves committed outbox rows to JetStream. Rows are claimed with FOR UPDATE SKIP LOCKED (several relays
 * may run), published with Nats-Msg-Id = event id (the stream drops duplicates, e.g. after a crash between
 * publish and mark), and marked published in the same transaction. Woken by NOTIFY, with a poll as backstop.
 */
export class OutboxRelay {
  private stopped = false;
  private wake: (() => void) | null = null;
  private pending = new Set<string>();
  private listener: pg.Client | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: OutboxRelayOptions) {}

  async start(PgClient: typeof pg.Client): Promise<void> {
    const client = new PgClient({ connectionString: this.options.listenUrl });
    client.on('error', (err) => this.options.log.warn({ err }, 'outbox listener error'));
    await client.connect();
    client.on('notification', (msg) => {
      if (msg.payload) this.pending.add(msg.payload);
      this.wake?.();
    });
    await client.query('listen outbox');
    this.listener = client;
    for (const schema of this.options.schemas) this.pending.add(schema);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    // After a failed round: the platform back-off (platform/backoff.ts) from 250 ms up to 5 s; 0 = no failure pending.
    const failures = new BackoffLoop({ initialMs: 250, maxMs: 5_000 });
    let backoff = 0;
    while (!this.stopped) {
      const due = this.pending.size ? [...this.pending] : this.options.schemas;
      this.pending.clear();
      // Each schema on its own: one that fails (NATS down for its subject, a broken row) must not starve
      // the others. A listed schema whose outbox table does not exist yet (the relay started before that
      // subgraph's migrations ran) has nothing to relay until it does.
      const failed: { schema: string; err: unknown }[] = [];
      for (const schema of due) {
        if (!this.options.schemas.includes(schema) || this.stopped) continue;
        try {
          while ((await this.drainBatch(schema)) === (this.options.batchSize ?? 200)) {
            if (this.stopped) break;
          }
        } catch (err) {
          if ((err as { code?: string }).code !== UNDEFINED_TABLE) failed.push({ schema, err });
        }
      }
      if (failed.length) {
        backoff = failures.next();
        this.options.log.warn(
          { err: failed[0]!.err, schemas: failed.map((f) => f.schema), backoffMs: backoff },
          'outbox relay could not publish: retrying',
        );
        for (const { schema } of failed) this.pending.add(schema);
      } else {
        backoff = 0;
        failures.reset();
      }
      if (this.stopped) break;
      if (this.pending.size && !backoff) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff || this.options.pollMs);
        this.wake = () => {
          if (backoff) return;
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Publishes one batch of one schema's outbox; returns how many rows it published. */
  async drainBatch(schema: string): Promise<number> {
    const client = await this.options.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<OutboxRow>(
        `select id, subject, envelope from "${schema}".outbox where published_at is null order by occurred_at, id limit $1 for update skip locked`,
        [this.options.batchSize ?? 200],
      );
      if (rows.length === 0) {
        await client.query('commit');
        return 0;
      }
      const encoder = new TextEncoder();
      const js = typeof this.options.js === 'function' ? this.options.js(schema) : this.options.js;
      await Promise.all(
        rows.map((row) => {
          const subject = this.options.subjectPrefix + row.subject;
          // msgID is sent as the Nats-Msg-Id header: JetStream's duplicate window drops a re-publish.
          const publish = (trace: TraceCarrier | null | undefined) =>
            js.publish(subject, encoder.encode(JSON.stringify(row.envelope)), {
              msgID: row.id,
              timeout: 5000,
              headers: natsTraceHeaders(trace),
            });
          const recorded = (row.envelope as { trace?: TraceCarrier }).trace;
          if (!recorded) return publish(null);
          // A traced event: its publish is a span of the recording trace, and the message carries that span onwards.
          return inSpan(
            `publish ${subject}`,
            {
              kind: SpanKind.PRODUCER,
              parent: contextFromCarrier(recorded),
              attributes: {
                'messaging.system': 'nats',
                'messaging.destination.name': subject,
                'messaging.message.id': row.id,
              },
            },
            () => publish(traceCarrier() ?? recorded),
          );
        }),
      );
      await client.query(
        `update "${schema}".outbox set published_at = now(), attempts = attempts + 1 where id = any($1)`,
        [rows.map((r) => r.id)],
      );
      await client.query('commit');
      this.options.onPublished?.(schema, rows.length);
      return rows.length;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.listener?.end();
  }
}
