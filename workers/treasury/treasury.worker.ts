import { Counter, Gauge } from 'prom-client';
import type { Network } from '../../chains/network.js';
import type { TreasuryConfig } from '../../platform/config/config.js';
import { Metrics } from '../../platform/http/metrics.js';
import { createHttpServer, listen } from '../../platform/http/server.js';
import type { Logger } from '../../platform/logger.js';
import { runPeriodically } from '../../platform/service/periodic.js';
import { createTreasury, openChainPayouts, type Treasury } from '../../subgraphs/wallet/ports.js';

export interface RunningTreasury {
  url: string;
  treasury: Treasury;
  close(): Promise<void>;
}

/**
 * The treasury worker: per network with a payout backend, a round every TREASURY_POLL_MS advances open moves
 * (sweeps, gas top-ups, cold moves), plans sweeps of credited deposit addresses and keeps the hot wallet in its band.
 * Several workers may run: every step is a compare-and-set on the move's row and planning is guarded by unique
 * indexes, so two never send the same coins.
 */
export async function startTreasuryWorker(
  config: TreasuryConfig,
  log: Logger,
  port: number,
  options: { poll?: boolean } = {},
): Promise<RunningTreasury> {
  const opened = await openChainPayouts({ config, log });
  const metrics = new Metrics('treasury');
  metrics.trackDatabase(opened.database);
  const belowFloor = new Gauge({
    name: 'treasury_hot_below_floor',
    help: '1 while the hot wallet holds less of the asset than its floor',
    labelNames: ['network', 'asset'],
    registers: [metrics.registry],
  });
  const rounds = new Counter({
    name: 'treasury_rounds_total',
    help: 'Treasury rounds by network and outcome',
    labelNames: ['network', 'outcome'],
    registers: [metrics.registry],
  });
  let treasury: Treasury;
  try {
    treasury = createTreasury({
      em: opened.em,
      payouts: opened.payouts,
      chains: config.chains,
      coldWallets: config.coldWallets,
      hotBands: config.hotBands,
      log,
      onFloor: (alert, network, asset) => belowFloor.set({ network, asset }, alert ? 1 : 0),
    });
  } catch (err) {
    await opened.close();
    throw err;
  }
  const lastSuccess = new Map<Network, number>();
  const loops =
    options.poll === false
      ? []
      : treasury.networks.map((network) =>
          runPeriodically(`treasury-${network}`, config.treasury.pollMs, log, async () => {
            try {
              const result = await treasury.round(network);
              rounds.inc({ network, outcome: 'ok' });
              lastSuccess.set(network, Date.now());
              return result.changed > 0;
            } catch (err) {
              rounds.inc({ network, outcome: 'error' });
              throw err;
            }
          }),
        );
  const http = createHttpServer({
    service: 'treasury',
    log,
    metrics,
    health: {
      database: async () => {
        await opened.em().getConnection().execute('select 1');
      },
    },
    routes: {},
  });
  const server = await listen(http, port, config.host);
  log.info({ health: `${server.url}/health`, networks: treasury.networks }, 'treasury worker running');
  return {
    url: server.url,
    treasury,
    async close() {
      for (const loop of loops) await loop.stop();
      await server.close(1000);
      await opened.close();
    },
  };
}
