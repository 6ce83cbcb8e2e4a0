import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import type { VoucherContext } from '../context.js';
import type { ResolutionRow } from './resolution.service.js';
import { VoucherType } from './voucher.type.js';

export enum VoucherResolutionOutcomeEnum {
  DELIVERED = 'DELIVERED',
  NOT_CREATED = 'NOT_CREATED',
}
export enum VoucherResolutionStatusEnum {
  PROPOSED = 'PROPOSED',
  CONFIRMED = 'CONFIRMED',
}
registerEnumType(VoucherResolutionOutcomeEnum, {
  name: 'VoucherResolutionOutcome',
  description:
    "DELIVERED: the provider created the voucher (staff found its code in the provider's panel): the hold is captured and the buyer can reveal the code. NOT_CREATED: nothing was created: the hold is released.",
});
registerEnumType(VoucherResolutionStatusEnum, {
  name: 'VoucherResolutionStatus',
  description: 'PROPOSED: awaiting a second staff member; CONFIRMED: the purchase is settled by it.',
});

@ObjectType('VoucherResolution', {
  description: 'A staff resolution of a purchase UNDER_REVIEW: proposed by one staff member, confirmed by another.',
})
export class VoucherResolutionType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  voucherId!: string;

  @Field(() => VoucherResolutionOutcomeEnum)
  outcome!: VoucherResolutionOutcomeEnum;

  @Field(() => VoucherResolutionStatusEnum)
  status!: VoucherResolutionStatusEnum;

  @Field(() => String, { nullable: true, description: "The provider's reference of the voucher, if staff found one." })
  providerReference!: string | null;

  @Field(() => ID)
  proposedBy!: string;

  @Field(() => Date)
  proposedAt!: Date;

  @Field(() => ID, { nullable: true })
  confirmedBy!: string | null;

  @Field(() => Date, { nullable: true })
  confirmedAt!: Date | null;

  @Field(() => VoucherType, { nullable: true, description: 'The purchase as it stands (set on confirmation).' })
  voucher!: VoucherType | null;

  static from(row: ResolutionRow, voucher: VoucherType | null = null): VoucherResolutionType {
    return Object.assign(new VoucherResolutionType(), {
      ...row,
      outcome: row.outcome as VoucherResolutionOutcomeEnum,
      status: row.status as VoucherResolutionStatusEnum,
      proposedAt: new Date(row.proposedAt),
      confirmedAt: row.confirmedAt ? new Date(row.confirmedAt) : null,
      voucher,
    });
  }
}

@Resolver(() => VoucherResolutionType)
export class VoucherResolutionResolver {
  @Mutation(() => VoucherResolutionType, {
    description:
      "Staff with vouchers:review: proposes how a purchase UNDER_REVIEW ended at the provider — DELIVERED with the code found in the provider's panel/history (sealed at once), or NOT_CREATED. Takes effect only when a different staff member confirms it (confirmVoucherResolution); nobody resolves their own purchase. VOUCHER_NOT_UNDER_REVIEW, CONFLICT (another resolution exists; key reused).",
  })
  async proposeVoucherResolution(
    @Arg('voucherId', () => ID) voucherId: string,
    @Arg('outcome', () => VoucherResolutionOutcomeEnum) outcome: VoucherResolutionOutcomeEnum,
    @Arg('code', () => String, { nullable: true }) code: string | null,
    @Arg('providerReference', () => String, { nullable: true }) providerReference: string | null,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherResolutionType> {
    const row = await ctx.vouchers.resolutions.propose(
      ctx.viewer,
      { voucherId, outcome, code: code ?? null, providerReference: providerReference ?? null, idempotencyKey },
      ctx.requestId,
    );
    return VoucherResolutionType.from(row);
  }

  @Mutation(() => VoucherResolutionType, {
    description:
      'Staff with vouchers:review, not the proposer and not the buyer: confirms a proposed resolution, settling the purchase (DELIVERED: COMPLETED, hold captured, code revealable by the buyer; NOT_CREATED: FAILED, hold released). A repeat answers the same.',
  })
  async confirmVoucherResolution(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherResolutionType> {
    const { resolution, voucher } = await ctx.vouchers.resolutions.confirm(ctx.viewer, id, ctx.requestId);
    return VoucherResolutionType.from(resolution, VoucherType.from(voucher));
  }

  @Query(() => [VoucherResolutionType], {
    description: 'Staff with vouchers:review: resolutions awaiting a second staff member, oldest first.',
  })
  async pendingVoucherResolutions(
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherResolutionType[]> {
    const rows = await ctx.vouchers.resolutions.pending(ctx.viewer, first);
    return rows.map((row) => VoucherResolutionType.from(row));
  }
}
