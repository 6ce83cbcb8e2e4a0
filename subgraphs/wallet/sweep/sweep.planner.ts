import type { EntityManager } from '@mikro-orm/postgresql';
import type { Network } from '../../../chains/network.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { nativeAssetOf } from '../../../platform/money/assets.js';
import type { ChainBalanceReader } from '../../../providers/chain-balance/index.js';
import type { ChainPayout } from '../payout/payout.port.js';
import { MoveStore, run, type TreasuryMove } from './move.store.js';

export interface SweepCandidate {
  address: string;
  custodyIndex: number;
  asset: string;
}

/**
 * Plans sweeps of user deposit addresses into the hot wallet. A candidate is an address and asset with a deposit
 * CREDITED since its last confirmed sweep and no deposit of that address still settling (DETECTED / CONFIRMING:
 * a reorg could still take it back). Tokens first: a token sweep whose address lacks the native coin for its gas
 * gets a GAS_TOPUP from hot of exactly (fee cap − what the address holds) and waits for it; the native coin is
 * swept only once no token is left to sweep (it would be the token's gas).
 */
export class SweepPlanner {
  constructor(
    private readonly store: MoveStore,
    private readonly payouts: ReadonlyMap<Network, ChainPayout>,
    private readonly reader: ChainBalanceReader,
    private readonly log: Logger,
  ) {}

  async candidates(em: EntityManager, network: Network): Promise<SweepCandidate[]> {
    const rows = await run<{ address: string; custody_index: number; asset: string }>(
      em,
      `select distinct w.address, w.custody_index, d.asset
         from wallet.deposit d join wallet.wallet w on w.id = d.wallet_id
        where d.network = ? and d.status = 'CREDITED'
          and d.credited_at > coalesce((select max(m.updated_at) from wallet.treasury_move m
                                         where m.kind = 'SWEEP' and m.status = 'CONFIRMED' and m.network = d.network
                                           and m.from_address = w.address and m.asset = d.asset), '-infinity')
          and not exists (select 1 from wallet.deposit p
                           where p.wallet_id = d.wallet_id and p.status in ('DETECTED', 'CONFIRMING'))
          and not exists (select 1 from wallet.treasury_move o
                           where o.network = d.network and o.from_address = w.address and o.kind = 'SWEEP'
                             and o.status not in ('CONFIRMED', 'FAILED'))
        order by w.address, d.asset`,
      [network],
    );
    return rows.map((r) => ({ address: r.address, custodyIndex: Number(r.custody_index), asset: r.asset }));
  }

  /** One planning round for the network: the moves it planned. */
  async plan(em: EntityManager, network: Network): Promise<TreasuryMove[]> {
    const payout = this.payouts.get(network);
    if (!payout) return [];
    const hot = await payout.hotAddress();
    const native = nativeAssetOf(network).symbol;
    const byAddress = new Map<string, SweepCandidate[]>();
    for (const c of await this.candidates(em, network))
      byAddress.set(c.address, [...(byAddress.get(c.address) ?? []), c]);
    const planned: TreasuryMove[] = [];
    for (const [address, list] of byAddress) {
      const source = { kind: 'deposit' as const, index: list[0]!.custodyIndex };
      const tokens = list.filter((c) => c.asset !== native);
      let tokenLeft = false;
      for (const c of tokens) {
        const balance = await this.reader.balance(network, c.asset, address);
        if (balance <= 0n) continue;
        tokenLeft = true;
        const quote = await payout.quoteFee({
          network,
          asset: c.asset,
          from: source,
          to: hot,
          amount: balance,
          reference: 'quote',
        });
        const gas = await this.reader.balance(network, native, address);
        const sweep = {
          kind: 'SWEEP' as const,
          network,
          asset: c.asset,
          source,
          fromAddress: address,
          toAddress: hot,
          amount: balance,
          feeAsset: native,
        };
        if (gas >= quote.maxFee) {
          planned.push(...((await this.store.plan(em, [sweep])) ?? []));
          continue;
        }
        const topUpId = newId('mov');
        const moves = await this.store.plan(em, [
          {
            id: topUpId,
            kind: 'GAS_TOPUP',
            network,
            asset: native,
            source: { kind: 'hot' },
            fromAddress: hot,
            toAddress: address,
            amount: quote.maxFee - gas,
            feeAsset: native,
          },
          { ...sweep, status: 'WAITING_GAS', topUpId },
        ]);
        if (moves) {
          planned.push(...moves);
          this.log.info(
            { address, asset: c.asset, topUp: (quote.maxFee - gas).toString() },
            'sweep waits for a gas top-up',
          );
        }
      }
      if (tokenLeft || !list.some((c) => c.asset === native)) continue;
      const balance = await this.reader.balance(network, native, address);
      if (balance <= 0n) continue;
      const quote = await payout.quoteFee({
        network,
        asset: native,
        from: source,
        to: hot,
        amount: balance,
        reference: 'quote',
      });
      // Worth sending only when the coins exceed the fee cap (the runner recomputes the amount when it signs).
      if (balance <= quote.maxFee) continue;
      const moves = await this.store.plan(em, [
        {
          kind: 'SWEEP',
          network,
          asset: native,
          source,
          fromAddress: address,
          toAddress: hot,
          amount: balance - quote.maxFee,
          feeAsset: native,
        },
      ]);
      planned.push(...(moves ?? []));
    }
    if (planned.length)
      this.log.info({ network, moves: planned.map((m) => `${m.kind}:${m.asset}:${m.amount}`) }, 'sweeps planned');
    return planned;
  }
}
