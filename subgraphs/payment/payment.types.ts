import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../platform/graphql/page-info.js';
import { AmountScalar, DateTimeScalar } from '../../platform/graphql/scalars.js';
import type { Payment } from './deposit/payment.entity.js';
import type { BankAccount, BankCard } from './instrument/instrument.entity.js';
import type { BankCredit } from './statement/statement.entity.js';
import type { FiatWithdrawal } from './withdrawal/withdrawal.entity.js';

export enum PaymentStatusEnum {
  INIT = 'INIT',
  CALLBACK_RECEIVED = 'CALLBACK_RECEIVED',
  VERIFYING = 'VERIFYING',
  PAID = 'PAID',
  REFUSED = 'REFUSED',
  FAILED = 'FAILED',
}
registerEnumType(PaymentStatusEnum, {
  name: 'PaymentStatus',
  description:
    'INIT: waiting for you to pay on the gateway page. CALLBACK_RECEIVED: you came back, checking with Paystar. ' +
    'VERIFYING: being confirmed. PAID: credited to your Toman balance, once. REFUSED: paid with another card or ' +
    'amount (not credited; an unconfirmed payment is returned by the bank). FAILED: cancelled, unpaid or expired.',
});

export enum FiatWithdrawalStatusEnum {
  REQUESTED = 'REQUESTED',
  REJECTED = 'REJECTED',
  PENDING_APPROVAL = 'PENDING_APPROVAL',
  CANCELLED = 'CANCELLED',
  APPROVED = 'APPROVED',
  SENDING = 'SENDING',
  DONE = 'DONE',
  FAILED = 'FAILED',
}
registerEnumType(FiatWithdrawalStatusEnum, {
  name: 'FiatWithdrawalStatus',
  description:
    'REQUESTED: the amount is being held. REJECTED: not held (funds, limits). PENDING_APPROVAL: held, above the ' +
    'approval threshold. CANCELLED: declined by an approver (released). APPROVED: queued for the bank. SENDING: ' +
    'the transfer was asked of the bank. DONE: sent (captured). FAILED: the bank refused it (released).',
});

export enum BankCreditStatusEnum {
  CREDITED = 'CREDITED',
  UNMATCHED = 'UNMATCHED',
  ASSIGNED = 'ASSIGNED',
}
registerEnumType(BankCreditStatusEnum, { name: 'BankCreditStatus' });

@ObjectType('BankCard', { description: 'A card whose holder the bank confirmed is you (KYC name). Shown masked.' })
export class BankCardType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'BIN and last four digits: 603799******1234.' })
  maskedNumber!: string;

  @Field(() => String, { nullable: true })
  bankName!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  static from(c: BankCard): BankCardType {
    return Object.assign(new BankCardType(), {
      id: c.id,
      maskedNumber: c.masked,
      bankName: c.bankName,
      createdAt: c.createdAt,
    });
  }
}

@ObjectType('BankAccount', { description: 'An IBAN (شبا) the bank confirmed is yours: where Toman withdrawals go.' })
export class BankAccountType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  iban!: string;

  @Field(() => String, { nullable: true })
  bankName!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  static from(a: BankAccount): BankAccountType {
    return Object.assign(new BankAccountType(), {
      id: a.id,
      iban: a.iban,
      bankName: a.bankName,
      createdAt: a.createdAt,
    });
  }
}

@ObjectType('Payment', { description: 'A Toman deposit by card through the Paystar gateway.' })
@Directive('@key(fields: "id")')
export class PaymentType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => AmountScalar, { description: 'Toman.' })
  amountToman!: string;

  @Field(() => ID)
  cardId!: string;

  @Field(() => PaymentStatusEnum)
  status!: PaymentStatusEnum;

  @Field(() => String, { nullable: true, description: 'Open it to pay (while INIT).' })
  paymentUrl!: string | null;

  @Field(() => String, { nullable: true, description: "Shaparak's tracking code once paid." })
  trackingCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it was REFUSED or FAILED.' })
  failureReason!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(p: Payment): PaymentType {
    return Object.assign(new PaymentType(), {
      id: p.id,
      userId: p.userId,
      amountToman: p.amount.toString(),
      cardId: p.cardId,
      status: p.status as PaymentStatusEnum,
      paymentUrl: p.status === 'INIT' ? p.paymentUrl : null,
      trackingCode: p.trackingCode,
      failureReason: p.failureReason,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    });
  }
}

@ObjectType('PaymentEdge')
export class PaymentEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => PaymentType)
  node!: PaymentType;
}

@ObjectType('PaymentConnection')
export class PaymentConnection {
  @Field(() => [PaymentEdge])
  edges!: PaymentEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('FiatWithdrawal', { description: 'Toman sent to one of your IBANs.' })
@Directive('@key(fields: "id")')
export class FiatWithdrawalType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => AmountScalar, { description: 'Toman.' })
  amountToman!: string;

  @Field(() => ID)
  bankAccountId!: string;

  @Field(() => FiatWithdrawalStatusEnum)
  status!: FiatWithdrawalStatusEnum;

  @Field(() => Boolean, { description: 'Above the approval threshold: a second person approves it.' })
  needsApproval!: boolean;

  @Field(() => String, { nullable: true, description: "The bank's reference once DONE." })
  bankReference!: string | null;

  @Field(() => String, { nullable: true })
  failureCode!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(w: FiatWithdrawal): FiatWithdrawalType {
    return Object.assign(new FiatWithdrawalType(), {
      id: w.id,
      userId: w.userId,
      amountToman: w.amount.toString(),
      bankAccountId: w.bankAccountId,
      status: w.status as FiatWithdrawalStatusEnum,
      needsApproval: w.needsApproval,
      bankReference: w.bankRef,
      failureCode: w.failureCode,
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
    });
  }
}

@ObjectType('FiatWithdrawalEdge')
export class FiatWithdrawalEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => FiatWithdrawalType)
  node!: FiatWithdrawalType;
}

@ObjectType('FiatWithdrawalConnection')
export class FiatWithdrawalConnection {
  @Field(() => [FiatWithdrawalEdge])
  edges!: FiatWithdrawalEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('BankCredit', { description: "An incoming credit on the platform's bank statement." })
export class BankCreditType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "The bank's reference (each is credited once)." })
  refCode!: string;

  @Field(() => AmountScalar, { description: 'Toman.' })
  amountToman!: string;

  @Field(() => DateTimeScalar)
  bookedAt!: Date;

  @Field(() => String)
  description!: string;

  @Field(() => String, { nullable: true, description: 'The deposit id (شناسه واریز) it carried.' })
  depositId!: string | null;

  @Field(() => String, { nullable: true, description: "The sender's card, masked." })
  sourceCard!: string | null;

  @Field(() => String, { nullable: true })
  sourceIban!: string | null;

  @Field(() => BankCreditStatusEnum)
  status!: BankCreditStatusEnum;

  @Field(() => ID, { nullable: true })
  userId!: string | null;

  static from(c: BankCredit): BankCreditType {
    return Object.assign(new BankCreditType(), {
      id: c.id,
      refCode: c.refCode,
      amountToman: c.amount.toString(),
      bookedAt: c.bookedAt,
      description: c.description,
      depositId: c.depositId,
      sourceCard: c.sourceCard,
      sourceIban: c.sourceIban,
      status: c.status as BankCreditStatusEnum,
      userId: c.userId,
    });
  }
}

@ObjectType('BankCreditEdge')
export class BankCreditEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => BankCreditType)
  node!: BankCreditType;
}

@ObjectType('BankCreditConnection')
export class BankCreditConnection {
  @Field(() => [BankCreditEdge])
  edges!: BankCreditEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('BankDepositInstructions', {
  description: 'Send Toman by card-to-card or to the IBAN, with your deposit id (شناسه واریز) for IBAN transfers.',
})
export class BankDepositInstructionsType {
  @Field(() => String, { description: 'Your personal deposit id (شناسه واریز).' })
  depositId!: string;

  @Field(() => String, { description: "The platform's card (card-to-card from one of your verified cards)." })
  card!: string;

  @Field(() => String, { description: "The platform's IBAN (Paya/Satna with your deposit id)." })
  iban!: string;
}
