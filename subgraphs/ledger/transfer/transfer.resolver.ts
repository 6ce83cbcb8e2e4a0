import { Arg, Ctx, Field, ID, InputType, Mutation, Resolver } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import type { LedgerContext } from '../context.js';
import { toResultType, TransferResult, type ResultType } from '../transaction/results.js';

@InputType('TransferInput')
export class TransferInput {
  @Field(() => ID, { nullable: true, description: 'The recipient by user id; give this or toUsername.' })
  toUserId?: string | null;

  @Field(() => String, { nullable: true, description: 'The recipient by Telegram username (with or without @).' })
  toUsername?: string | null;

  @Field(() => String, { description: 'Asset symbol, e.g. USDT_TRON.' })
  asset!: string;

  @Field(() => AmountScalar, {
    description: 'What the recipient receives, in the asset\'s unit ("12.5"); the fee is added on top.',
  })
  amount!: string;

  @Field(() => String, { nullable: true, description: 'Shown to both sides; at most 280 characters.' })
  note?: string | null;

  @Field(() => String, {
    description:
      'Chosen by the client per transfer (e.g. a UUID): a retry with the same key returns the first result, for as long as keys are remembered (30 days by default).',
  })
  idempotencyKey!: string;
}

@Resolver()
export class TransferResolver {
  @Mutation(() => TransferResult, { description: 'Moves money to another user, all or nothing.' })
  async transfer(
    @Arg('input', () => TransferInput) input: TransferInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<ResultType> {
    return toResultType(await ctx.ledger.transfers.transfer(ctx.em, ctx.viewer, input));
  }
}
