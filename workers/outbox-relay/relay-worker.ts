import pg from 'pg';
import { Counter } from 'prom-client';
import { connectNats, ensureEventStream, pingNats } from '../../platform/bus/nats.js';
import { OUTBOX_PRUNE_BATCH, OUTBOX_PRUNE_INTERVAL_MS, prunePublishedOutbox } from '../../platform/bus/outbox-retention.js';
import { OutboxRelay } from '../../platform/bus/relay.js';
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

/** The outbox relay process: every subgraph schema's outbox → JetStream, with /health and /metrics. */
export async function startOutboxRelayWorker(config: OutboxRelayConfig, log: Logger, schemas: string[], port: number): Promise<RunningRelay> {
  const pool = new pg.Pool({ connectionString: config.database.url, max: 4 });
  pool.on('error', (err) => log.warn({ err }, 'outbox pool error'));
  const nats = await connectNats(config.nats.url, 'outbox-relay', log);
  await ensureEventStream(await nats.jetstreamManager(), config.nats.stream, config.nats.subjectPrefix);
  const metrics = new Metrics('outbox-relay');
  const published = new Counter({ name: 'outbox_events_published_total', help: 'Outbox events published to JetStream', labelNames: ['schema'], registers: [metrics.registry] });
  metrics.trackPool(() => ({ used: pool.totalCount - pool.idleCount, free: pool.idleCount, pending: pool.waitingCount, max: 4 }));
  const relay = new OutboxRelay({
    pool,
    listenUrl: config.database.url,
    js: nats.jetstream(),
    schemas,
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
      nats: () => pingNats(nats),
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
      await nats.drain().catch(() => undefined);
      await pool.end();
    },
  };
}
