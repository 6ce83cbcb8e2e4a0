import { Directive, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { formatAmount } from '../../../platform/money/amount.js';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import type { Asset } from './asset.entity.js';

export enum NetworkEnum {
  TON = 'TON',
  TRON = 'TRON',
  ETH = 'ETH',
  BSC = 'BSC',
}
registerEnumType(NetworkEnum, { name: 'Network', description: 'A blockchain the platform holds assets on.' });

@ObjectType('Asset', {
  description: 'One token on one network (USDT on TRON and USDT on BSC are different assets), or Toman.',
})
@Directive('@key(fields: "symbol")')
export class AssetType {
  @Field(() => String, { description: 'TON, USDT_TON, TRX, USDT_TRON, ETH, USDT_ETH, BNB, USDT_BSC or IRT.' })
  symbol!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, {
    description: 'The market symbol the asset is priced as: USDT for every USDT asset; IRT for Toman.',
  })
  coin!: string;

  @Field(() => NetworkEnum, { nullable: true, description: 'null for Toman.' })
  network!: NetworkEnum | null;

  @Field(() => Int, { description: 'Digits of the minor unit: amounts of this asset have at most this many decimals.' })
  decimals!: number;

  @Field(() => String, {
    nullable: true,
    description: 'ERC20/BEP20/TRC20 contract or TON jetton master; null for native coins and Toman.',
  })
  contract!: string | null;

  @Field(() => String, { nullable: true })
  iconUrl!: string | null;

  @Field(() => Boolean, {
    description:
      'A disabled asset takes no new transfers (ASSET_DISABLED); on-chain deposits to it are still recorded.',
  })
  enabled!: boolean;

  @Field(() => AmountScalar, { description: 'Deposits below this are recorded as IGNORED (dust) and not credited.' })
  minDeposit!: string;

  static from(asset: Asset): AssetType {
    const t = new AssetType();
    t.symbol = asset.symbol;
    t.name = asset.name;
    t.coin = asset.coin;
    t.network = asset.network as NetworkEnum | null;
    t.decimals = asset.decimals;
    t.contract = asset.contract;
    t.iconUrl = asset.iconUrl;
    t.enabled = asset.enabled;
    t.minDeposit = formatAmount(BigInt(asset.minDeposit), asset.decimals);
    return t;
  }
}

@InputType({ description: 'Admin: what may change on an asset. Omitted fields stay as they are.' })
export class UpdateAssetInput {
  @Field(() => String)
  symbol!: string;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => AmountScalar, { nullable: true, description: 'In the asset\'s unit, e.g. "0.5".' })
  minDeposit?: string | null;

  @Field(() => String, { nullable: true, description: 'An https URL; an empty string removes the icon.' })
  iconUrl?: string | null;
}
