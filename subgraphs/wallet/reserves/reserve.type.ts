import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { assetInfo } from '../../../platform/money/assets.js';
import type { Holdings } from './holdings.service.js';

@ObjectType('AssetReserve', {
  description:
    'Proof of reserves for one asset: what the chains hold (wallet: hot + cold + deposit addresses, read now) against what users own (ledger: liabilities, surplus, latest published root).',
})
@Directive('@key(fields: "asset")')
export class AssetReserveType {
  @Field(() => String, { description: 'Catalogue symbol.' })
  asset!: string;

  @Field(() => String)
  network!: string;

  @Field(() => AmountScalar, { description: 'hot + cold + deposits.' })
  onChain!: string;

  @Field(() => AmountScalar)
  hot!: string;

  @Field(() => AmountScalar)
  cold!: string;

  @Field(() => AmountScalar, { description: 'Σ over every user deposit address of the network.' })
  deposits!: string;

  @Field(() => Int)
  depositAddresses!: number;

  @Field(() => String, { nullable: true, description: 'null when no payout backend serves the network.' })
  hotAddress!: string | null;

  @Field(() => String, { nullable: true, description: 'null when no cold wallet is configured for the network.' })
  coldAddress!: string | null;

  @Field(() => Date)
  readAt!: Date;

  static from(h: Holdings): AssetReserveType {
    const decimals = assetInfo(h.asset)!.decimals;
    return Object.assign(new AssetReserveType(), {
      asset: h.asset,
      network: h.network,
      onChain: formatAmount(h.onChain, decimals),
      hot: formatAmount(h.hot, decimals),
      cold: formatAmount(h.cold, decimals),
      deposits: formatAmount(h.deposits, decimals),
      depositAddresses: h.depositAddresses,
      hotAddress: h.hotAddress,
      coldAddress: h.coldAddress,
      readAt: h.readAt,
    });
  }
}
