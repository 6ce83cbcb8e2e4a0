import type { EntityManager } from '@mikro-orm/postgresql';
import { hasClaim, isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput, DomainError, ErrorCode, forbidden, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { VOUCHER_TYPES, type VoucherType } from '../../../providers/vouchers/index.js';
import { parseRate, type RateCurrency } from './pricing.js';
import { VoucherRate, type RateSide } from './rate.entity.js';

export interface SetRateInput {
  type: VoucherType;
  side: RateSide;
  currency: RateCurrency;
  price: string;
  validFrom: Date | null;
  validUntil: Date;
}

/** Longest validity window a rate may be set for: rates are meant to be renewed, not forgotten. */
export const MAX_RATE_WINDOW_MS = 7 * 24 * 3600_000;

export class RateService {
  constructor(private readonly log: Logger) {}

  authorizeSet(viewer: Viewer): void {
    if (!viewer.userId) throw unauthenticated();
    if (!isStaff(viewer) || !hasClaim(viewer, 'vouchers:rates'))
      throw forbidden('Setting voucher rates needs the vouchers:rates claim');
  }

  async set(em: EntityManager, viewer: Viewer, input: SetRateInput): Promise<VoucherRate> {
    this.authorizeSet(viewer);
    if (!VOUCHER_TYPES.includes(input.type)) throw badInput('unknown voucher type', { field: 'type' });
    parseRate(input.price);
    const now = new Date();
    const validFrom = input.validFrom ?? now;
    if (input.validUntil.getTime() <= validFrom.getTime())
      throw badInput('validUntil must be after validFrom', { field: 'validUntil' });
    if (input.validUntil.getTime() <= now.getTime())
      throw badInput('validUntil is in the past', { field: 'validUntil' });
    if (input.validUntil.getTime() - validFrom.getTime() > MAX_RATE_WINDOW_MS)
      throw badInput('a rate is valid for at most 7 days', { field: 'validUntil' });
    const rate = em.create(VoucherRate, {
      type: input.type,
      side: input.side,
      currency: input.currency,
      price: input.price,
      validFrom,
      validUntil: input.validUntil,
      setBy: viewer.userId!,
    });
    await em.persistAndFlush(rate);
    this.log.info(
      {
        rateId: rate.id,
        type: rate.type,
        side: rate.side,
        currency: rate.currency,
        price: rate.price,
        by: viewer.userId,
      },
      'voucher rate set',
    );
    return rate;
  }

  /** The rate in force now, or RATE_STALE (none set, or the latest started one has expired). */
  async current(em: EntityManager, type: VoucherType, side: RateSide, currency: RateCurrency): Promise<VoucherRate> {
    const now = new Date();
    const rate = await em.findOne(
      VoucherRate,
      { type, side, currency, validFrom: { $lte: now } },
      { orderBy: { validFrom: 'desc', id: 'desc' } },
    );
    if (!rate || rate.validUntil.getTime() <= now.getTime())
      throw new DomainError(
        ErrorCode.RATE_STALE,
        rate ? `the ${side} rate of ${type} in ${currency} expired` : `no ${side} rate of ${type} in ${currency}`,
        { type, side, currency, expiredAt: rate?.validUntil.toISOString() ?? null },
      );
    return rate;
  }

  /** The latest started rate per (type, side, currency), stale ones included (the answer says so). */
  async latest(em: EntityManager, type: VoucherType | null): Promise<VoucherRate[]> {
    const rows = await em.getConnection().execute<{ id: string }[]>(
      `select distinct on (type, side, currency) id from voucher.voucher_rate
        where valid_from <= now() ${type ? 'and type = ?' : ''}
        order by type, side, currency, valid_from desc, id desc`,
      type ? [type] : [],
    );
    if (rows.length === 0) return [];
    return em.find(
      VoucherRate,
      { id: { $in: rows.map((r) => r.id) } },
      { orderBy: { type: 'asc', side: 'asc', currency: 'asc' } },
    );
  }

  isStaffViewer(viewer: Viewer): boolean {
    return isStaff(viewer);
  }
}
