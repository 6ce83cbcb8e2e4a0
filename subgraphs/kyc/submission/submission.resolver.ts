import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../../platform/errors.js';
import type { KycContext } from '../context.js';
import type { KycDocument } from '../document/document.entity.js';
import { KycDocumentType } from '../document/document.type.js';
import type { ApprovableTier, SubmissionStatus } from './submission.entity.js';
import { encodeQueueCursor } from '../review-queue.js';
import {
  KycSubmissionConnection,
  KycSubmissionStatusEnum,
  KycSubmissionType,
  KycTierEnum,
  SubmitKycInput,
} from './submission.type.js';
import { connectionFrom } from '../../../platform/graphql/page-info.js';

function approvable(tier: KycTierEnum): ApprovableTier {
  if (tier === KycTierEnum.NONE) throw badInput('tier must be BASIC or FULL', { field: 'tier' });
  return tier as ApprovableTier;
}

@Resolver(() => KycSubmissionType)
export class SubmissionResolver {
  @FieldResolver(() => [KycDocumentType], { description: 'The documents submitted, in order.' })
  async documents(@Root() submission: KycSubmissionType, @Ctx() ctx: KycContext): Promise<KycDocumentType[]> {
    const loader = ctx.loaders.get<KycDocument>('kyc:document', async (ids) => {
      const rows = await ctx.kyc.documents.byIds(ctx.em, ids);
      return ids.map((id) => rows.find((r) => r.id === id) ?? null);
    });
    const rows = await loader.loadMany(submission.documentIds);
    return rows.filter((r): r is KycDocument => r !== null && !(r instanceof Error)).map(KycDocumentType.from);
  }

  @Query(() => KycSubmissionConnection, {
    description: 'Reviewers (kyc:review): submissions, oldest first, optionally of one status.',
  })
  async kycSubmissions(
    @Arg('status', () => KycSubmissionStatusEnum, { nullable: true }) status: KycSubmissionStatusEnum | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: KycContext,
  ): Promise<KycSubmissionConnection> {
    const page = await ctx.kyc.submissions.list(ctx.em, ctx.viewer, status as SubmissionStatus | null, first, after);
    const edges = page.nodes.map((s) => ({
      cursor: encodeQueueCursor(s),
      node: KycSubmissionType.from(s, ctx.kyc.submissions.reveal(s)),
    }));
    return connectionFrom(edges, page.hasNextPage);
  }

  @Query(() => KycSubmissionType, { nullable: true, description: 'One submission: its applicant or a reviewer.' })
  async kycSubmission(@Arg('id', () => ID) id: string, @Ctx() ctx: KycContext): Promise<KycSubmissionType | null> {
    const submission = await ctx.kyc.submissions.byId(ctx.em, ctx.viewer, id);
    return submission ? KycSubmissionType.from(submission, ctx.kyc.submissions.reveal(submission)) : null;
  }

  @Mutation(() => KycSubmissionType, {
    description: 'Asks for a tier with personal data and accepted documents; PENDING until a reviewer decides.',
  })
  async submitKyc(
    @Arg('input', () => SubmitKycInput) input: SubmitKycInput,
    @Ctx() ctx: KycContext,
  ): Promise<KycSubmissionType> {
    const submission = await ctx.kyc.submissions.submit(ctx.em, ctx.viewer, {
      ...input,
      tier: approvable(input.tier),
    });
    return KycSubmissionType.from(submission, ctx.kyc.submissions.reveal(submission));
  }

  @Mutation(() => KycSubmissionType, {
    description: 'Reviewers: approves a PENDING submission for its tier or a lower one; never your own.',
  })
  async approveKyc(
    @Arg('id', () => ID) id: string,
    @Arg('tier', () => KycTierEnum) tier: KycTierEnum,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: KycContext,
  ): Promise<KycSubmissionType> {
    const submission = await ctx.kyc.submissions.approve(ctx.em, ctx.viewer, id, approvable(tier), note);
    return KycSubmissionType.from(submission, ctx.kyc.submissions.reveal(submission));
  }

  @Mutation(() => KycSubmissionType, {
    description: 'Reviewers: rejects a PENDING submission with a reason the applicant reads; never your own.',
  })
  async rejectKyc(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: KycContext,
  ): Promise<KycSubmissionType> {
    const submission = await ctx.kyc.submissions.reject(ctx.em, ctx.viewer, id, reason);
    return KycSubmissionType.from(submission, ctx.kyc.submissions.reveal(submission));
  }
}
