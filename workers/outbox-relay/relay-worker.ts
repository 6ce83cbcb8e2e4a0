import pg from 'pg';
import { Counter } from 'prom-client';
import type { JetStreamClient, NatsConnection } from 'nats';
import { connectNats, pingNats, requireEventStream } from '../../platform/bus/nats.js';
import { outboxUser } from '../../platform/bus/permissions.js';
import {
  OUTBOX_PRUNE_BATCH,
  OUTBOX_PRUNE_INTERVAL_MS,
  prunePublishedOutbox,
} from '../../platform/bus/outbox-retention.js';
import { OutboxRelay } from '../../platform/bus/relay.js';
import { pgPoolSource } from '../../platform/db/database.js';
import type { OutboxRelayConfig } from '../../platform/config/config.js';
import { Metrics } from '../../platform/http/metrics.js';
import { createHttpServer, listen } from '../../platform/http/server.js';
import type { Logger } from '../../platform/logger.js';
import { runPeriodically } from '../../platform/service/periodic.js';

export interface RunningRelay {
  relay: OutboxRelay;
  url: string;
  close(): Promise<void>;
}

/**
 * The outbox relay process: the given subgraph schemas' outboxes → JetStream, with /health and /metrics.
 * Each schema's rows are published on its own connection as that domain's outbox user (`outbox-wallet` may
 * publish `wallet.>` only), so a row in one schema's outbox cannot speak for another domain. Explicit
 * credentials (NATS_USER/NATS_PASSWORD, NATS_CREDS) are one user: such a relay drains one schema.
 */
export async function startOutboxRelayWorker(
  config: OutboxRelayConfig,
  log: Logger,
  schemas: readonly string[],
  port: number,
): Promise<RunningRelay> {
  if ((config.nats.auth.kind === 'password' || config.nats.auth.kind === 'creds') && schemas.length !== 1) {
    throw new Error(
      `NATS credentials name one outbox user: run one relay per schema (--schema <name>), not ${schemas.join(', ')}`,
    );
  }
  const connections = new Map<string, NatsConnection>();
  const publishers = new Map<string, JetStreamClient>();
  try {
    for (const schema of schemas) {
      const nc = await connectNats(config.nats, outboxUser(schema), log.child({ schema }));
      connections.set(schema, nc);
      await requireEventStream(await nc.jetstreamManager(), config.nats.stream, config.nats.subjectPrefix);
      publishers.set(schema, nc.jetstream());
    }
  } catch (err) {
    for (const nc of connections.values()) await nc.close().catch(() => undefined);
    throw err;
  }
  const poolMax = 4;
  const pool = new pg.Pool({ connectionString: config.database.url, max: poolMax });
  pool.on('error', (err) => log.warn({ err }, 'outbox pool error'));
  const metrics = new Metrics('outbox-relay');
  const published = new Counter({
    name: 'outbox_events_published_total',
    help: 'Outbox events published to JetStream',
    labelNames: ['schema'],
    registers: [metrics.registry],
  });
  metrics.trackDatabase(pgPoolSource(pool, poolMax));
  const relay = new OutboxRelay({
    pool,
    listenUrl: config.database.url,
    js: (schema) => {
      const js = publishers.get(schema);
      if (!js) throw new Error(`no NATS connection for outbox schema ${schema}`);
      return js;
    },
    schemas: [...schemas],
    subjectPrefix: config.nats.subjectPrefix,
    log,
    pollMs: config.outbox.pollMs,
    onPublished: (schema, count) => published.inc({ schema }, count),
  });
  await relay.start(pg.Client);
  const retentionDays = config.outbox.retentionDays;
  const pruner = runPeriodically('prune-outbox', OUTBOX_PRUNE_INTERVAL_MS, log, async () => {
    const olderThan = new Date(Date.now() - retentionDays * 86_400_000);
    let more = false;
    for (const schema of schemas) {
      const pruned = await prunePublishedOutbox(pool, schema, olderThan);
      if (pruned) log.info({ schema, pruned, retentionDays }, 'pruned published outbox rows past their retention');
      more ||= pruned === OUTBOX_PRUNE_BATCH;
    }
    return more;
  });
  const http = createHttpServer({
    service: 'outbox-relay',
    log,
    metrics,
    health: {
      database: async () => {
        await pool.query('select 1');
      },
      nats: async () => {
        await Promise.all([...connections.values()].map((nc) => pingNats(nc)));
      },
    },
    routes: {},
  });
  const running = await listen(http, port, config.host);
  log.info({ schemas, health: `${running.url}/health` }, 'outbox relay running');
  return {
    relay,
    url: running.url,
    async close() {
      await running.close(1000);
      await pruner.stop();
      await relay.stop();
      for (const nc of connections.values()) await nc.drain().catch(() => undefined);
      await pool.end();
    },
  };
}
