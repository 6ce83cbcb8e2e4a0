import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { Coin, Network } from '../../../platform/money/assets.js';

/**
 * One token on one network (USDT on TRON and USDT on BSC are different assets: their decimals differ), or
 * Toman. Seeded by migration from platform/money/assets.ts; staff change only what is operational
 * (enabled, minimum deposit, icon).
 */
@Entity({ tableName: 'asset' })
export class Asset {
  [OptionalProps]?: 'enabled' | 'iconUrl' | 'createdAt' | 'updatedAt' | 'revision';

  @PrimaryKey({ type: 'text' })
  symbol!: string;

  @Property({ type: 'text' })
  name!: string;

  /** The market symbol this asset is priced as (USDT_TRON → USDT); IRT for Toman. */
  @Property({ type: 'text' })
  coin!: Coin;

  @Property({ type: 'text', nullable: true })
  network!: Network | null;

  @Property({ type: 'smallint' })
  decimals!: number;

  /** ERC20/BEP20/TRC20 contract or TON jetton master; null for native coins and Toman. */
  @Property({ type: 'text', nullable: true })
  contract!: string | null;

  @Property({ type: 'text', nullable: true })
  iconUrl: string | null = null;

  @Property({ type: 'boolean' })
  enabled = true;

  /** Integer minor units (numeric(78,0)), as a string. */
  @Property({ type: 'decimal', columnType: 'numeric(78,0)' })
  minDeposit!: string;

  /** Bumped by every staff change; `market.asset.updated` carries it so consumers keep the newest. */
  @Property({ type: 'bigint' })
  revision: string = '0';

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
