import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { isStaff } from '../../../platform/auth/viewer.js';
import { badInput, forbidden, unauthenticated } from '../../../platform/errors.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../../platform/graphql/keyset-cursor.js';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import { formatAmount, parsePositiveAmount } from '../../../platform/money/amount.js';
import { VOUCHER_CURRENCY_DECIMALS } from '../../../providers/vouchers/index.js';
import { FACE_CURRENCY } from '../rate/pricing.js';
import type { VoucherType as ProviderVoucherType } from '../../../providers/vouchers/index.js';
import type { VoucherContext } from '../context.js';
import type { VoucherStatus } from './voucher.entity.js';
import type { VoucherService } from './voucher.service.js';
import {
  VoucherCodeType,
  VoucherConnection,
  VoucherSearchInput,
  VoucherStatusEnum,
  VoucherType,
  VoucherTypeEnum,
  VoucherValidationType,
} from './voucher.type.js';

const ID_PATTERN = /^vch_[0-9a-hjkmnp-tv-z]{26}$/;
const STATUSES_OF: Record<VoucherStatusEnum, VoucherStatus[]> = {
  PENDING: ['HOLD_REQUESTED', 'HELD', 'CREATING', 'REDEEMING', 'PENDING', 'UNKNOWN'],
  COMPLETED: ['COMPLETED', 'CONFIRMED'],
  FAILED: ['FAILED', 'REJECTED'],
  UNDER_REVIEW: ['UNKNOWN'],
};

/** One page of vouchers, newest first (shared by User.vouchers and searchVouchers). */
export async function voucherPage(
  ctx: VoucherContext,
  service: VoucherService,
  filter: { userId: string | null; type: ProviderVoucherType | null; status: VoucherStatus[] | null; review?: boolean },
  first: number,
  after: string | null,
): Promise<VoucherConnection> {
  if (first < 1 || first > 100) throw badInput('first must be 1..100', { field: 'first' });
  const cursor = after ? decodeKeysetCursor(after, ID_PATTERN) : null;
  const page = await service.page(ctx.em, filter, first, cursor);
  return Object.assign(new VoucherConnection(), {
    edges: page.rows.map((row) => ({
      cursor: encodeKeysetCursor(row.cursorTime, row.id),
      node: VoucherType.from(row),
    })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      endCursor: page.rows.length ? encodeKeysetCursor(page.rows.at(-1)!.cursorTime, page.rows.at(-1)!.id) : null,
    },
  });
}

@Resolver(() => VoucherType)
export class VoucherResolver {
  @Mutation(() => VoucherType, {
    description:
      'Buys a voucher of `amount` (its face value in its own currency: Toman for HOT, USD for PS/UTOPIA_UUSD/PERFECT_MONEY, Crypton for UTOPIA_CRP) paid in `payWith` (IRT at the Toman rate, any USDT at the USD rate). The price is held, the provider is called once, the hold is captured (COMPLETED: reveal the code) or released (FAILED). INSUFFICIENT_FUNDS, RATE_STALE, VOUCHER_PROVIDER_BALANCE_LOW.',
  })
  async buyVoucher(
    @Arg('type', () => VoucherTypeEnum) type: VoucherTypeEnum,
    @Arg('amount', () => AmountScalar) amount: string,
    @Arg('payWith', () => String) payWith: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherType> {
    const voucher = await ctx.vouchers.vouchers.buy(ctx.em, ctx.viewer, {
      type: type as ProviderVoucherType,
      amount: parsePositiveAmount(amount, VOUCHER_CURRENCY_DECIMALS[FACE_CURRENCY[type as ProviderVoucherType]]),
      payWith,
      idempotencyKey,
    });
    return VoucherType.from(voucher);
  }

  @Mutation(() => VoucherCodeType, { description: 'The code of one of your bought vouchers (audited).' })
  async revealVoucherCode(@Arg('id', () => ID) id: string, @Ctx() ctx: VoucherContext): Promise<VoucherCodeType> {
    const { voucher, code } = await ctx.vouchers.vouchers.reveal(ctx.em, ctx.viewer, id, ctx.requestId);
    return Object.assign(new VoucherCodeType(), { voucher: VoucherType.from(voucher), code });
  }

  @Mutation(() => VoucherType, {
    description:
      "Redeems a code into the platform's provider account and credits you at the SELL rate in `receiveAs` (default IRT for HOT, USDT_TRON for USD vouchers), once per code. VOUCHER_CODE_INVALID, VOUCHER_CODE_USED, RATE_STALE; PENDING while the provider settles.",
  })
  async redeemVoucher(
    @Arg('type', () => VoucherTypeEnum) type: VoucherTypeEnum,
    @Arg('code', () => String) code: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Arg('receiveAs', () => String, { nullable: true }) receiveAs: string | null,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherType> {
    const voucher = await ctx.vouchers.vouchers.redeem(ctx.em, ctx.viewer, {
      type: type as ProviderVoucherType,
      code,
      idempotencyKey,
      receiveAs: receiveAs ?? null,
    });
    return VoucherType.from(voucher);
  }

  @Query(() => VoucherValidationType, {
    description:
      'Checks a code without using it, where the provider offers that; otherwise says it is checked at redemption.',
  })
  async validateVoucher(
    @Arg('type', () => VoucherTypeEnum) type: VoucherTypeEnum,
    @Arg('code', () => String) code: string,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherValidationType> {
    const result = await ctx.vouchers.vouchers.validate(ctx.viewer, type as ProviderVoucherType, code);
    return Object.assign(
      new VoucherValidationType(),
      result.supported
        ? {
            supported: true,
            valid: result.valid,
            faceAmount: result.amount
              ? formatAmount(result.amount.minor, VOUCHER_CURRENCY_DECIMALS[result.amount.currency])
              : null,
            message: result.valid ? 'valid' : (result.reason ?? 'invalid'),
          }
        : { supported: false, valid: null, faceAmount: null, message: result.why },
    );
  }

  @Query(() => VoucherConnection, {
    description:
      'Staff: vouchers of any user, newest first. `status: UNDER_REVIEW` is the queue of purchases staff resolve (proposeVoucherResolution).',
  })
  async searchVouchers(
    @Arg('filter', () => VoucherSearchInput, { nullable: true }) filter: VoucherSearchInput | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherConnection> {
    if (!ctx.viewer.userId) throw unauthenticated();
    if (!isStaff(ctx.viewer)) throw forbidden('Staff only');
    return voucherPage(
      ctx,
      ctx.vouchers.vouchers,
      {
        userId: filter?.userId ?? null,
        type: (filter?.type as ProviderVoucherType | null | undefined) ?? null,
        status: filter?.status ? STATUSES_OF[filter.status] : null,
        review:
          filter?.status === VoucherStatusEnum.UNDER_REVIEW
            ? true
            : filter?.status === VoucherStatusEnum.PENDING
              ? false
              : undefined,
      },
      first,
      after,
    );
  }
}
