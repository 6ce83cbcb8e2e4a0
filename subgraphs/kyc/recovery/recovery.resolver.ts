import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { KycContext } from '../context.js';
import { maskPhone } from '../validation/phone.js';
import type { RecoveryStatus } from './recovery.entity.js';
import { encodeQueueCursor } from '../review-queue.js';
import {
  AccountRecoveryConnection,
  AccountRecoveryStatusEnum,
  AccountRecoveryType,
  RecoveryCodeSent,
} from './recovery.type.js';
import { connectionFrom } from '../../../platform/graphql/page-info.js';

@Resolver()
export class RecoveryResolver {
  @Mutation(() => RecoveryCodeSent, {
    description:
      'From a new Telegram account: asks for a code to the phone verified by the lost account. The answer is the same whether or not the number can be recovered.',
  })
  async requestAccountRecovery(
    @Arg('phone', () => String) phone: string,
    @Ctx() ctx: KycContext,
  ): Promise<RecoveryCodeSent> {
    const sent = await ctx.kyc.recoveries.requestCode(ctx.em, ctx.viewer, phone);
    return Object.assign(new RecoveryCodeSent(), { ...sent, phone: maskPhone(sent.phone) });
  }

  @Mutation(() => AccountRecoveryType, {
    description: 'Proves the code: a PENDING recovery of the account owning the phone, until a reviewer decides.',
  })
  async confirmAccountRecovery(
    @Arg('phone', () => String) phone: string,
    @Arg('code', () => String) code: string,
    @Ctx() ctx: KycContext,
  ): Promise<AccountRecoveryType> {
    return AccountRecoveryType.from(await ctx.kyc.recoveries.confirm(ctx.em, ctx.viewer, phone, code));
  }

  @Query(() => AccountRecoveryConnection, { description: 'Reviewers (kyc:review): recoveries, oldest first.' })
  async accountRecoveries(
    @Arg('status', () => AccountRecoveryStatusEnum, { nullable: true }) status: AccountRecoveryStatusEnum | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: KycContext,
  ): Promise<AccountRecoveryConnection> {
    const page = await ctx.kyc.recoveries.list(ctx.em, ctx.viewer, status as RecoveryStatus | null, first, after);
    const edges = page.nodes.map((r) => ({ cursor: encodeQueueCursor(r), node: AccountRecoveryType.from(r) }));
    return connectionFrom(edges, page.hasNextPage);
  }

  @Mutation(() => AccountRecoveryType, {
    description:
      'Reviewers: approves a PENDING recovery (never one of your own accounts); identity then moves the Telegram id.',
  })
  async approveAccountRecovery(
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: KycContext,
  ): Promise<AccountRecoveryType> {
    return AccountRecoveryType.from(await ctx.kyc.recoveries.approve(ctx.em, ctx.viewer, id, note));
  }

  @Mutation(() => AccountRecoveryType, { description: 'Reviewers: rejects a PENDING recovery with a reason.' })
  async rejectAccountRecovery(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: KycContext,
  ): Promise<AccountRecoveryType> {
    return AccountRecoveryType.from(await ctx.kyc.recoveries.reject(ctx.em, ctx.viewer, id, reason));
  }
}
