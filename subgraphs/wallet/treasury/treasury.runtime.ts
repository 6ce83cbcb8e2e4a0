import type { EntityManager } from '@mikro-orm/postgresql';
import type { Network } from '../../../chains/network.js';
import type { ChainsConfig } from '../../../platform/config/chains.js';
import type { HotWalletBand } from '../../../platform/config/treasury.js';
import type { Logger } from '../../../platform/logger.js';
import type { ChainBalanceReader } from '../../../providers/chain-balance/index.js';
import { buildChainBalanceReader } from '../app.js';
import type { ChainPayout } from '../payout/payout.port.js';
import { MoveRunner } from '../sweep/move.runner.js';
import { MoveStore } from '../sweep/move.store.js';
import { SweepPlanner } from '../sweep/sweep.planner.js';
import { treasuryAddresses } from './treasury-addresses.js';
import { TreasuryService, type FloorAlert } from './treasury.service.js';

export interface TreasuryRound {
  planned: number;
  changed: number;
}

/** What the treasury worker runs each round per network: advance every open move, plan sweeps, keep the band. */
export interface Treasury {
  readonly networks: Network[];
  /** The payout per network the treasury signs with (its hot addresses). */
  readonly payouts: ReadonlyMap<Network, ChainPayout>;
  round(network: Network): Promise<TreasuryRound>;
}

export interface TreasuryOptions {
  em: () => EntityManager;
  /**
   * The chain payouts (openChainPayouts). Sweeps, top-ups and cold moves sign with the platform's own keys: never
   * through Exonyx, which pays withdrawals from the reseller account (exonyx/exonyx.payout.ts).
   */
  payouts: ReadonlyMap<Network, ChainPayout>;
  chains: ChainsConfig;
  coldWallets: Partial<Record<Network, string | null>>;
  hotBands: Readonly<Record<string, HotWalletBand>>;
  log: Logger;
  /** Defaults to the reader over the configured chain endpoints (all four networks needed). */
  reader?: ChainBalanceReader;
  onFloor?: (alert: FloorAlert | null, network: Network, asset: string) => void;
}

export function createTreasury(options: TreasuryOptions): Treasury {
  const { log, payouts } = options;
  const reader =
    options.reader ?? buildChainBalanceReader({ chains: options.chains }, log.child({ component: 'chain-balance' }));
  if (!reader) throw new Error('the treasury needs all four chain endpoints (CHAIN_*_URL) to read balances');
  const store = new MoveStore();
  const addresses = treasuryAddresses(options.coldWallets, Object.fromEntries(payouts));
  const planner = new SweepPlanner(store, payouts, reader, log.child({ component: 'sweeps' }));
  const treasury = new TreasuryService(
    store,
    payouts,
    reader,
    addresses,
    options.hotBands,
    log.child({ component: 'treasury' }),
    options.onFloor,
  );
  const runner = new MoveRunner({ store, payouts, reader, log: log.child({ component: 'treasury-moves' }) });
  return {
    networks: [...payouts.keys()],
    payouts,
    async round(network) {
      const em = options.em();
      // Moves first (a confirmed top-up releases its sweep, a confirmed sweep fills hot), then new plans.
      let changed = await runner.advanceAll(em, network);
      const planned = [...(await planner.plan(em, network)), ...(await treasury.rebalance(em, network))];
      if (planned.length) changed += await runner.advanceAll(em, network);
      return { planned: planned.length, changed };
    },
  };
}
