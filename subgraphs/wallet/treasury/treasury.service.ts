import type { EntityManager } from '@mikro-orm/postgresql';
import { NETWORKS, type Network } from '../../../chains/network.js';
import type { Viewer } from '../../../platform/auth/viewer.js';
import type { HotWalletBand } from '../../../platform/config/treasury.js';
import type { Logger } from '../../../platform/logger.js';
import { ASSETS, nativeAssetOf } from '../../../platform/money/assets.js';
import type { ChainBalanceReader } from '../../../providers/chain-balance/index.js';
import type { ChainPayout } from '../payout/payout.port.js';
import type { HoldingsService } from '../reserves/holdings.service.js';
import { MoveStore, run, type TreasuryMove } from '../sweep/move.store.js';
import type { TreasuryAddresses } from './treasury-addresses.js';

export interface FloorAlert {
  network: Network;
  asset: string;
  hot: bigint;
  floor: bigint;
}

export interface TreasuryPosition {
  network: Network;
  asset: string;
  hot: bigint;
  cold: bigint;
  /**
   * Coins on their way: open sweeps, top-ups and cold moves of the asset (between platform addresses) and
   * withdrawals signed but not final (SIGNED, BROADCAST, CONFIRMING: leaving the hot wallet).
   */
  inFlight: bigint;
  floor: bigint | null;
  ceiling: bigint | null;
  hotAddress: string | null;
  coldAddress: string | null;
}

/**
 * The hot wallet's band per asset (TREASURY_HOT_BANDS): above the ceiling the excess is moved to the cold wallet
 * (a COLD move, recorded and driven like every treasury move), below the floor staff are alerted (log + metric
 * now; the notifier once it lands). One open cold move per asset at a time: its coins count as already gone.
 */
export class TreasuryService {
  constructor(
    private readonly store: MoveStore,
    private readonly payouts: ReadonlyMap<Network, ChainPayout>,
    /** null in a wallet subgraph without chain endpoints: positions answer SERVICE_UNAVAILABLE, nothing moves. */
    private readonly reader: ChainBalanceReader | null,
    private readonly addresses: TreasuryAddresses,
    private readonly bands: Readonly<Record<string, HotWalletBand>>,
    private readonly log: Logger,
    private readonly onFloor: (alert: FloorAlert | null, network: Network, asset: string) => void = () => undefined,
  ) {}

  async rebalance(em: EntityManager, network: Network): Promise<TreasuryMove[]> {
    const payout = this.payouts.get(network);
    const reader = this.reader;
    if (!payout || !reader) return [];
    const hot = await payout.hotAddress();
    const cold = this.addresses.cold(network);
    const planned: TreasuryMove[] = [];
    for (const asset of ASSETS.filter((a) => a.network === network)) {
      const band = this.bands[asset.symbol];
      if (!band || (band.floor === null && band.ceiling === null)) continue;
      const balance = await reader.balance(network, asset.symbol, hot);
      if (band.floor !== null && balance < band.floor) {
        this.log.warn(
          { network, asset: asset.symbol, hot: balance.toString(), floor: band.floor.toString(), hotAddress: hot },
          'hot wallet below its floor: top it up from cold',
        );
        this.onFloor({ network, asset: asset.symbol, hot: balance, floor: band.floor }, network, asset.symbol);
      } else this.onFloor(null, network, asset.symbol);
      if (band.ceiling === null || balance <= band.ceiling || !cold) continue;
      const moves = await this.store.plan(em, [
        {
          kind: 'COLD',
          network,
          asset: asset.symbol,
          source: { kind: 'hot' },
          fromAddress: hot,
          toAddress: cold,
          amount: balance - band.ceiling,
          feeAsset: nativeAssetOf(network).symbol,
        },
      ]);
      if (moves) {
        this.log.info({ network, asset: asset.symbol, amount: (balance - band.ceiling).toString() }, 'excess to cold');
        planned.push(...moves);
      }
    }
    return planned;
  }

  /** `treasury` (staff): hot, cold and in-flight per asset, read from the chains now. */
  async positions(
    em: EntityManager,
    viewer: Viewer,
    holdings: HoldingsService,
    networks: readonly Network[] | null = null,
  ): Promise<TreasuryPosition[]> {
    holdings.authorize(viewer);
    const inFlight = await inFlightByAsset(em);
    const out: TreasuryPosition[] = [];
    for (const network of networks ? NETWORKS.filter((n) => networks.includes(n)) : NETWORKS) {
      const hotAddress = await this.addresses.hot(network).catch(() => null);
      const coldAddress = this.addresses.cold(network);
      for (const asset of ASSETS.filter((a) => a.network === network)) {
        const [hot, cold] = await Promise.all([
          hotAddress ? holdings.readOne(network, asset.symbol, hotAddress) : 0n,
          coldAddress ? holdings.readOne(network, asset.symbol, coldAddress) : 0n,
        ]);
        const band = this.bands[asset.symbol];
        out.push({
          network,
          asset: asset.symbol,
          hot,
          cold,
          inFlight: inFlight.get(asset.symbol) ?? 0n,
          floor: band?.floor ?? null,
          ceiling: band?.ceiling ?? null,
          hotAddress,
          coldAddress,
        });
      }
    }
    return out;
  }
}

/**
 * Per asset, what is moving now: open treasury moves (recorded, not CONFIRMED/FAILED) plus withdrawals whose
 * transaction is signed and not final (SIGNED, BROADCAST, CONFIRMING), in minor units. Assets with none are absent.
 */
export async function inFlightByAsset(em: EntityManager): Promise<Map<string, bigint>> {
  const rows = await run<{ asset: string; amount: string }>(
    em,
    `select asset, sum(amount)::text as amount from (
       select asset, amount from wallet.treasury_move where status not in ('CONFIRMED', 'FAILED')
       union all
       select asset, amount from wallet.withdrawal where status in ('SIGNED', 'BROADCAST', 'CONFIRMING')
     ) open group by asset`,
  );
  return new Map(rows.map((r) => [r.asset, BigInt(r.amount)]));
}
