import { Arg, Ctx, Directive, Field, FieldResolver, ID, Int, ObjectType, Resolver, Root } from 'type-graphql';
import type { VoucherType as ProviderVoucherType } from '../../../providers/vouchers/index.js';
import type { VoucherContext } from '../context.js';
import { voucherPage } from '../voucher/voucher.resolver.js';
import { VoucherConnection, VoucherTypeEnum } from '../voucher/voucher.type.js';

/** identity's User, extended with its vouchers. */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class VoucherUser {
  @Field(() => ID)
  id!: string;
}

export const userReference = {
  __resolveReference: (ref: Record<string, unknown>): VoucherUser | null =>
    typeof ref.id === 'string' ? Object.assign(new VoucherUser(), { id: ref.id }) : null,
};

@Resolver(() => VoucherUser)
export class VoucherUserResolver {
  @FieldResolver(() => VoucherConnection, {
    description: 'Vouchers bought and redeemed, newest first, optionally of one type. The user and staff only.',
  })
  async vouchers(
    @Root() user: VoucherUser,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('type', () => VoucherTypeEnum, { nullable: true }) type: VoucherTypeEnum | null,
    @Ctx() ctx: VoucherContext,
  ): Promise<VoucherConnection> {
    ctx.vouchers.vouchers.authorizeHistory(ctx.viewer, user.id);
    return voucherPage(
      ctx,
      ctx.vouchers.vouchers,
      { userId: user.id, type: (type as ProviderVoucherType | null) ?? null, status: null },
      first,
      after,
    );
  }
}
