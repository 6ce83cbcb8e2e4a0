import {
  Arg,
  Ctx,
  Directive,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { batchedReference } from '../../platform/graphql/build-subgraph.js';
import { AmountScalar } from '../../platform/graphql/scalars.js';
import { DomainError } from '../../platform/errors.js';
import type { PaymentContext } from './context.js';
import { Payment } from './deposit/payment.entity.js';
import { encodePaymentCursor } from './deposit/payment.service.js';
import type { BankAccount, BankCard } from './instrument/instrument.entity.js';
import { assertCanSee } from './instrument/instrument.service.js';
import {
  BankAccountType,
  BankCardType,
  BankCreditConnection,
  BankCreditType,
  BankDepositInstructionsType,
  FiatWithdrawalConnection,
  FiatWithdrawalStatusEnum,
  FiatWithdrawalType,
  PaymentConnection,
  PaymentType,
} from './payment.types.js';
import { encodeCreditCursor } from './statement/statement.service.js';
import { FiatWithdrawal, type FiatWithdrawalStatus } from './withdrawal/withdrawal.entity.js';
import { encodeWithdrawalCursor } from './withdrawal/withdrawal.service.js';
import { connectionFrom } from '../../platform/graphql/page-info.js';

/** identity's User, extended with its bank cards, IBANs, card payments and Toman withdrawals. */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class PaymentUser {
  @Field(() => ID)
  id!: string;
}

export const userReference = {
  __resolveReference: (ref: Record<string, unknown>): PaymentUser | null =>
    typeof ref.id === 'string' ? Object.assign(new PaymentUser(), { id: ref.id }) : null,
};

/** `Payment` entities: one query per `_entities` call; the payer and staff only. */
export const paymentReference = batchedReference<PaymentType, PaymentContext>('Payment', 'id', async (ids, ctx) => {
  const rows = await ctx.em.find(Payment, { id: { $in: [...ids] } });
  return ids.map((id) => {
    const row = rows.find((r) => r.id === id);
    if (!row) return null;
    try {
      assertCanSee(ctx.viewer, row.userId);
    } catch (err) {
      if (err instanceof DomainError) return err as never;
      throw err;
    }
    return PaymentType.from(row);
  });
});

export const withdrawalReference = batchedReference<FiatWithdrawalType, PaymentContext>(
  'FiatWithdrawal',
  'id',
  async (ids, ctx) => {
    const rows = await ctx.em.find(FiatWithdrawal, { id: { $in: [...ids] } });
    return ids.map((id) => {
      const row = rows.find((r) => r.id === id);
      if (!row) return null;
      try {
        assertCanSee(ctx.viewer, row.userId);
      } catch (err) {
        if (err instanceof DomainError) return err as never;
        throw err;
      }
      return FiatWithdrawalType.from(row);
    });
  },
);

@Resolver(() => PaymentUser)
export class PaymentUserResolver {
  @FieldResolver(() => [BankCardType], { description: 'Your verified bank cards (the user and staff only).' })
  async bankCards(@Root() user: PaymentUser, @Ctx() ctx: PaymentContext): Promise<BankCardType[]> {
    assertCanSee(ctx.viewer, user.id);
    const cards = await ctx.loaders
      .get<BankCard[]>('payment:cards', async (ids) => {
        const rows = await ctx.payment.instruments.cardsOf(ctx.em, ctx.viewer, ids);
        return ids.map((id) => rows.filter((r) => r.userId === id));
      })
      .load(user.id);
    return (cards ?? []).map(BankCardType.from);
  }

  @FieldResolver(() => [BankAccountType], { description: 'Your verified IBANs (the user and staff only).' })
  async bankAccounts(@Root() user: PaymentUser, @Ctx() ctx: PaymentContext): Promise<BankAccountType[]> {
    assertCanSee(ctx.viewer, user.id);
    const accounts = await ctx.loaders
      .get<BankAccount[]>('payment:accounts', async (ids) => {
        const rows = await ctx.payment.instruments.accountsOf(ctx.em, ctx.viewer, ids);
        return ids.map((id) => rows.filter((r) => r.userId === id));
      })
      .load(user.id);
    return (accounts ?? []).map(BankAccountType.from);
  }

  @FieldResolver(() => PaymentConnection, { description: 'Your card payments, newest first.' })
  async payments(
    @Root() user: PaymentUser,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: PaymentContext,
  ): Promise<PaymentConnection> {
    const page = await ctx.payment.payments.page(ctx.em, ctx.viewer, user.id, first, after);
    const edges = page.nodes.map((p) => ({ cursor: encodePaymentCursor(p.id), node: PaymentType.from(p) }));
    return connectionFrom(edges, page.hasNextPage);
  }

  @FieldResolver(() => FiatWithdrawalConnection, { description: 'Your Toman withdrawals, newest first.' })
  async fiatWithdrawals(
    @Root() user: PaymentUser,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: PaymentContext,
  ): Promise<FiatWithdrawalConnection> {
    const page = await ctx.payment.withdrawals.page(ctx.em, ctx.viewer, user.id, null, first, after);
    return withdrawalConnection(page);
  }
}

function withdrawalConnection(page: { nodes: FiatWithdrawal[]; hasNextPage: boolean }): FiatWithdrawalConnection {
  const edges = page.nodes.map((w) => ({ cursor: encodeWithdrawalCursor(w.id), node: FiatWithdrawalType.from(w) }));
  return connectionFrom(edges, page.hasNextPage);
}

@Resolver()
export class PaymentResolver {
  @Mutation(() => BankCardType, {
    description:
      'Adds a card (16 digits, Persian digits accepted) after the bank confirms its holder is your KYC name. Adding it again returns it.',
  })
  async addBankCard(
    @Arg('cardNumber', () => String) cardNumber: string,
    @Ctx() ctx: PaymentContext,
  ): Promise<BankCardType> {
    return BankCardType.from(await ctx.payment.instruments.addCard(ctx.em, ctx.viewer, cardNumber));
  }

  @Mutation(() => BankAccountType, {
    description: 'Adds an IBAN (IR + 24 digits) after the bank confirms you own it (KYC name).',
  })
  async addBankAccount(@Arg('iban', () => String) iban: string, @Ctx() ctx: PaymentContext): Promise<BankAccountType> {
    return BankAccountType.from(await ctx.payment.instruments.addAccount(ctx.em, ctx.viewer, iban));
  }

  @Mutation(() => PaymentType, {
    description:
      'Starts a Toman deposit by card through Paystar, payable only with that verified card: open `paymentUrl`. ' +
      'The same idempotencyKey returns the same payment.',
  })
  async startCardPayment(
    @Arg('amountToman', () => AmountScalar) amountToman: string,
    @Arg('cardId', () => ID) cardId: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: PaymentContext,
  ): Promise<PaymentType> {
    return PaymentType.from(
      await ctx.payment.payments.start(ctx.em, ctx.viewer, { amountToman, cardId, idempotencyKey }),
    );
  }

  @Query(() => PaymentType, { nullable: true, description: 'One of your card payments (staff: anyone’s).' })
  async payment(@Arg('id', () => ID) id: string, @Ctx() ctx: PaymentContext): Promise<PaymentType | null> {
    const row = await ctx.payment.payments.byId(ctx.em, ctx.viewer, id);
    return row ? PaymentType.from(row) : null;
  }

  @Query(() => BankDepositInstructionsType, {
    description: 'Where to send Toman by card-to-card or IBAN transfer, and your personal deposit id.',
  })
  async bankDepositInstructions(@Ctx() ctx: PaymentContext): Promise<BankDepositInstructionsType> {
    return Object.assign(
      new BankDepositInstructionsType(),
      await ctx.payment.statements.instructions(ctx.em, ctx.viewer),
    );
  }

  @Query(() => BankCreditConnection, {
    description: 'Staff (ledger:adjust): bank statement credits no deposit id or verified card matched, oldest first.',
  })
  async unmatchedBankCredits(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: PaymentContext,
  ): Promise<BankCreditConnection> {
    const page = await ctx.payment.statements.unmatched(ctx.em, ctx.viewer, first, after);
    const edges = page.nodes.map((c) => ({ cursor: encodeCreditCursor(c.id), node: BankCreditType.from(c) }));
    return connectionFrom(edges, page.hasNextPage);
  }

  @Mutation(() => BankCreditType, {
    description: 'Staff (ledger:adjust): credits a parked bank credit to a user, once; never to yourself.',
  })
  async assignBankCredit(
    @Arg('id', () => ID) id: string,
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: PaymentContext,
  ): Promise<BankCreditType> {
    return BankCreditType.from(await ctx.payment.statements.assign(ctx.em, ctx.viewer, id, userId));
  }

  @Mutation(() => FiatWithdrawalType, {
    description:
      'Sends Toman to your verified IBAN: the amount is held at once (INSUFFICIENT_FUNDS / LIMIT_EXCEEDED otherwise); ' +
      'above the approval threshold a second person approves it. The same idempotencyKey returns the same withdrawal.',
  })
  async requestFiatWithdrawal(
    @Arg('amountToman', () => AmountScalar) amountToman: string,
    @Arg('bankAccountId', () => ID) bankAccountId: string,
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: PaymentContext,
  ): Promise<FiatWithdrawalType> {
    return FiatWithdrawalType.from(
      await ctx.payment.withdrawals.request(ctx.em, ctx.viewer, { amountToman, bankAccountId, idempotencyKey }),
    );
  }

  @Query(() => FiatWithdrawalType, { nullable: true, description: 'One of your Toman withdrawals (staff: anyone’s).' })
  async fiatWithdrawal(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: PaymentContext,
  ): Promise<FiatWithdrawalType | null> {
    const row = await ctx.payment.withdrawals.byId(ctx.em, ctx.viewer, id);
    return row ? FiatWithdrawalType.from(row) : null;
  }

  @Query(() => FiatWithdrawalConnection, {
    description: 'Approvers (withdrawals:approve): Toman withdrawals, newest first, optionally of one status.',
  })
  async fiatWithdrawals(
    @Arg('status', () => FiatWithdrawalStatusEnum, { nullable: true }) status: FiatWithdrawalStatusEnum | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: PaymentContext,
  ): Promise<FiatWithdrawalConnection> {
    const page = await ctx.payment.withdrawals.page(
      ctx.em,
      ctx.viewer,
      null,
      status as FiatWithdrawalStatus | null,
      first,
      after,
    );
    return withdrawalConnection(page);
  }

  @Mutation(() => FiatWithdrawalType, {
    description: 'Approvers (withdrawals:approve): approves a PENDING_APPROVAL withdrawal; never your own.',
  })
  async approveFiatWithdrawal(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: PaymentContext,
  ): Promise<FiatWithdrawalType> {
    return FiatWithdrawalType.from(await ctx.payment.withdrawals.approve(ctx.em, ctx.viewer, id));
  }

  @Mutation(() => FiatWithdrawalType, {
    description: 'Approvers (withdrawals:approve): declines a PENDING_APPROVAL withdrawal; the hold is released.',
  })
  async declineFiatWithdrawal(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() ctx: PaymentContext,
  ): Promise<FiatWithdrawalType> {
    return FiatWithdrawalType.from(await ctx.payment.withdrawals.decline(ctx.em, ctx.viewer, id, reason));
  }
}
