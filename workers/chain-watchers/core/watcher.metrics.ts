import { Counter, Gauge, type Registry } from 'prom-client';

/** A watcher's metrics, labelled by network (one registry per watcher process). */
export interface WatcherMetrics {
  detected: Counter<'network'>;
  ignored: Counter<'network'>;
  confirmed: Counter<'network'>;
  reorged: Counter<'network' | 'after_credit'>;
  lag: Gauge<'network'>;
  head: Gauge<'network'>;
  cursor: Gauge<'network'>;
  blocks: Counter<'network'>;
  transactions: Counter<'network'>;
  reorgs: Counter<'network'>;
  errors: Counter<'network' | 'kind'>;
  halted: Gauge<'network'>;
  chainResets: Counter<'network'>;
}

export function createWatcherMetrics(registry: Registry): WatcherMetrics {
  const registers = [registry];
  return {
    detected: new Counter({
      name: 'deposits_detected_total',
      help: 'Deposits to our addresses seen on chain (dust excluded)',
      labelNames: ['network'],
      registers,
    }),
    ignored: new Counter({
      name: 'deposits_ignored_total',
      help: 'Deposits below the asset minimum (dust), recorded as IGNORED',
      labelNames: ['network'],
      registers,
    }),
    confirmed: new Counter({
      name: 'deposits_confirmed_total',
      help: 'Deposits that reached their required confirmations (credit requested)',
      labelNames: ['network'],
      registers,
    }),
    reorged: new Counter({
      name: 'deposits_reorged_total',
      help: 'Deposits whose block left the canonical chain; after_credit="true" is an admin alert (reversal, withdrawals frozen)',
      labelNames: ['network', 'after_credit'],
      registers,
    }),
    lag: new Gauge({
      name: 'chain_watcher_lag_blocks',
      help: 'Chain head minus the watcher cursor',
      labelNames: ['network'],
      registers,
    }),
    head: new Gauge({
      name: 'chain_watcher_head_block',
      help: 'Last chain head the node reported',
      labelNames: ['network'],
      registers,
    }),
    cursor: new Gauge({
      name: 'chain_watcher_cursor_block',
      help: 'Last block ingested',
      labelNames: ['network'],
      registers,
    }),
    blocks: new Counter({
      name: 'chain_watcher_blocks_scanned_total',
      help: 'Blocks ingested',
      labelNames: ['network'],
      registers,
    }),
    transactions: new Counter({
      name: 'chain_watcher_transactions_scanned_total',
      help: 'Transactions in the blocks ingested',
      labelNames: ['network'],
      registers,
    }),
    reorgs: new Counter({
      name: 'chain_watcher_reorgs_total',
      help: 'Chain reorganizations rolled back',
      labelNames: ['network'],
      registers,
    }),
    errors: new Counter({
      name: 'chain_watcher_errors_total',
      help: 'Failed watcher rounds (the watcher backs off and retries)',
      labelNames: ['network', 'kind'],
      registers,
    }),
    halted: new Gauge({
      name: 'chain_watcher_halted',
      help: '1 while the watcher refuses to advance: a reorg deeper than the reorg window or a different chain at the endpoint (admin alert)',
      labelNames: ['network'],
      registers,
    }),
    chainResets: new Counter({
      name: 'chain_watcher_chain_resets_total',
      help: 'Devnet only: the endpoint served another chain (restarted from genesis) and the watcher started over on it',
      labelNames: ['network'],
      registers,
    }),
  };
}
