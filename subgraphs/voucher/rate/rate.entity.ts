import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';
import type { VoucherType } from '../../../providers/vouchers/index.js';
import type { RateCurrency } from './pricing.js';

export type RateSide = 'BUY' | 'SELL';

/**
 * A staff-set rate: units of `currency` per one unit of the voucher's face currency, on one side (BUY: what a user
 * pays per unit; SELL: what a redeeming user is credited). Append-only: the latest row per (type, side, currency)
 * whose window has started is in force; past `validUntil` it is stale and trading on that side refuses.
 */
@Entity({ tableName: 'voucher_rate' })
export class VoucherRate {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('vrt');

  @Property({ type: 'text' })
  type!: VoucherType;

  @Property({ type: 'text' })
  side!: RateSide;

  @Property({ type: 'text' })
  currency!: RateCurrency;

  @Property({ type: 'text' })
  price!: string;

  @Property({ type: 'timestamptz' })
  validFrom!: Date;

  @Property({ type: 'timestamptz' })
  validUntil!: Date;

  @Property({ type: 'text' })
  setBy!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
