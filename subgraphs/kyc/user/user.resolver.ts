import { Ctx, Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import { maskPhone } from '../validation/phone.js';
import type { KycContext } from '../context.js';
import type { KycState } from '../submission/submission.service.js';
import {
  KycRequirementEnum,
  KycStatusEnum,
  KycSubmissionType,
  KycTierEnum,
  UserKycType,
} from '../submission/submission.type.js';

/** identity's User, extended with its KYC state. */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class KycUser {
  @Field(() => ID)
  id!: string;
}

export const userReference = {
  __resolveReference: (ref: Record<string, unknown>): KycUser | null =>
    typeof ref.id === 'string' ? Object.assign(new KycUser(), { id: ref.id }) : null,
};

@Resolver(() => KycUser)
export class KycUserResolver {
  @FieldResolver(() => UserKycType, {
    description: 'Tier, latest status and what the next tier needs. The user and reviewers only.',
  })
  async kyc(@Root() user: KycUser, @Ctx() ctx: KycContext): Promise<UserKycType> {
    ctx.kyc.submissions.authorizeRead(ctx.viewer, user.id);
    const state = await ctx.loaders
      .get<KycState>('kyc:state', (ids) => ctx.kyc.submissions.statesOf(ctx.em, ids))
      .load(user.id);
    return Object.assign(new UserKycType(), {
      tier: state!.tier as KycTierEnum,
      status: state!.status as KycStatusEnum,
      phone: state!.phone ? maskPhone(state!.phone) : null,
      nextTier: state!.nextTier as KycTierEnum | null,
      nextTierNeeds: state!.nextTierNeeds as KycRequirementEnum[],
      latestSubmission: state!.latest
        ? KycSubmissionType.from(state!.latest, ctx.kyc.submissions.reveal(state!.latest))
        : null,
    });
  }
}
