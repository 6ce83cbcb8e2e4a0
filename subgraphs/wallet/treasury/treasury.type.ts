import { Directive, Field, ObjectType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { assetInfo } from '../../../platform/money/assets.js';
import type { TreasuryPosition } from './treasury.service.js';

@ObjectType('TreasuryPosition', {
  description:
    'One asset in the treasury: the hot wallet (signs withdrawals, receives sweeps), the watch-only cold wallet, coins moving between platform addresses, and the band; the ledger adds what users own (liabilities).',
})
// Only the treasury root field starts a position; the ledger extends it by key.
@Directive('@key(fields: "asset", resolvable: false)')
export class TreasuryPositionType {
  @Field(() => String)
  network!: string;

  @Field(() => String, { description: 'Catalogue symbol.' })
  asset!: string;

  @Field(() => AmountScalar, { description: 'On chain at the hot address now.' })
  hot!: string;

  @Field(() => AmountScalar, { description: 'On chain at the cold address now (0 without one).' })
  cold!: string;

  @Field(() => AmountScalar, {
    description:
      'Open sweeps, gas top-ups and cold moves of the asset (recorded, not yet final) plus withdrawals signed and not yet final (SIGNED, BROADCAST, CONFIRMING).',
  })
  inFlight!: string;

  @Field(() => AmountScalar, { nullable: true, description: 'Below it staff are alerted (TREASURY_HOT_BANDS).' })
  floor!: string | null;

  @Field(() => AmountScalar, { nullable: true, description: 'Above it the excess moves to cold.' })
  ceiling!: string | null;

  @Field(() => String, { nullable: true })
  hotAddress!: string | null;

  @Field(() => String, { nullable: true })
  coldAddress!: string | null;

  static from(p: TreasuryPosition): TreasuryPositionType {
    const d = assetInfo(p.asset)!.decimals;
    return Object.assign(new TreasuryPositionType(), {
      network: p.network,
      asset: p.asset,
      hot: formatAmount(p.hot, d),
      cold: formatAmount(p.cold, d),
      inFlight: formatAmount(p.inFlight, d),
      floor: p.floor === null ? null : formatAmount(p.floor, d),
      ceiling: p.ceiling === null ? null : formatAmount(p.ceiling, d),
      hotAddress: p.hotAddress,
      coldAddress: p.coldAddress,
    });
  }
}
