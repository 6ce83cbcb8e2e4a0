import type { Network } from '../../chains/network.js';
import type { WithdrawalBroadcasterConfig } from '../../platform/config/config.js';
import { Metrics } from '../../platform/http/metrics.js';
import { createHttpServer, listen } from '../../platform/http/server.js';
import type { Logger } from '../../platform/logger.js';
import { openChainPayouts, WithdrawalProcessor, type CrashPoint } from '../../subgraphs/wallet/ports.js';
import { createBroadcasterMetrics } from './broadcaster.metrics.js';

export interface RunningBroadcaster {
  processor: WithdrawalProcessor;
  networks: Network[];
  url: string;
  close(): Promise<void>;
}

/**
 * The withdrawal broadcaster: `lanes` loops per configured network, each taking the next due withdrawal of its
 * network (row-locked, SKIP LOCKED: several lanes and several processes never share one) through one step of
 * WithdrawalProcessor, and waiting `pollMs` when none is due. /health (database) and /metrics on `port`.
 */
export async function startWithdrawalBroadcaster(
  config: WithdrawalBroadcasterConfig,
  log: Logger,
  port: number = config.broadcaster.port,
): Promise<RunningBroadcaster> {
  // Each lane holds one connection for its step (the row lock) while the payout's allocator takes another for the
  // nonce/seqno: two per lane per network, plus the health check. Fewer and every lane could wait on the pool.
  const networks = Object.values(config.chains.networks).filter((n) => n !== null).length;
  const opened = await openChainPayouts({ config, log, poolMax: 2 * config.broadcaster.lanes * networks + 2 });
  const registry = new Metrics('withdrawal-broadcaster');
  registry.trackDatabase(opened.database);
  const observer = createBroadcasterMetrics(registry.registry);
  const { crashAt } = config.broadcaster;
  const crash = crashAt
    ? (point: CrashPoint, withdrawalId: string) => {
        if (point !== crashAt) return;
        log.warn({ point, withdrawalId }, 'test crash point reached: SIGKILL');
        process.kill(process.pid, 'SIGKILL');
      }
    : null;
  const processor = new WithdrawalProcessor(
    opened.em,
    opened.payouts,
    {
      stuckAfterMs: config.payouts.evm.stuckAfterSeconds * 1000,
      confirmPollMs: config.broadcaster.confirmPollMs,
      retryMs: config.broadcaster.retryMs,
    },
    log.child({ component: 'withdrawal-processor' }),
    observer,
    crash,
  );
  let running = true;
  let wake: (() => void) | null = null;
  const lanes: Promise<void>[] = [];
  for (const network of processor.networks) {
    for (let lane = 0; lane < config.broadcaster.lanes; lane++) {
      lanes.push(
        (async () => {
          while (running) {
            let worked = false;
            try {
              worked = await processor.step(network);
            } catch (err) {
              log.error({ err, network }, 'withdrawal lane error');
            }
            if (!worked && running)
              await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, config.broadcaster.pollMs);
                wake = () => {
                  clearTimeout(timer);
                  resolve();
                };
              });
          }
        })(),
      );
    }
  }
  const http = createHttpServer({
    service: 'withdrawal-broadcaster',
    log,
    metrics: registry,
    health: { database: async () => void (await opened.em().execute('select 1')) },
    routes: {},
  });
  const server = await listen(http, port, config.host);
  // Public facts, and what an operator funds on a devnet (`npm run devnet:send -- --to <hot address>`).
  for (const [network, payout] of opened.payouts)
    payout.hotAddress().then(
      (address) => log.info({ network, address }, 'hot wallet'),
      (err: unknown) => log.warn({ err, network }, 'hot wallet address unavailable'),
    );
  log.info(
    { networks: processor.networks, lanes: config.broadcaster.lanes, health: `${server.url}/health` },
    'withdrawal broadcaster running',
  );
  return {
    processor,
    networks: processor.networks,
    url: server.url,
    async close() {
      running = false;
      (wake as (() => void) | null)?.();
      await Promise.all(lanes);
      await server.close(1000);
      await opened.close();
    },
  };
}
