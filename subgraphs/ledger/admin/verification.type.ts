import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { LedgerReport, MismatchKind } from '../core/verifier.js';

export enum LedgerMismatchKindEnum {
  TRANSACTION_HASH = 'TRANSACTION_HASH',
  EMPTY_TRANSACTION = 'EMPTY_TRANSACTION',
  ORPHAN_POSTING = 'ORPHAN_POSTING',
  CHAIN_LINK = 'CHAIN_LINK',
  CHAIN_ORDER = 'CHAIN_ORDER',
  BALANCE = 'BALANCE',
  ASSET_SUM = 'ASSET_SUM',
  NEGATIVE_BALANCE = 'NEGATIVE_BALANCE',
  HOLD = 'HOLD',
}
registerEnumType(LedgerMismatchKindEnum, { name: 'LedgerMismatchKind' });

@ObjectType('LedgerMismatch', {
  description: 'One disagreement between what the ledger stores and what it recomputes.',
})
export class LedgerMismatchType {
  @Field(() => LedgerMismatchKindEnum)
  kind!: LedgerMismatchKindEnum;

  @Field(() => String, { description: 'A transaction id, chain position, account or asset.' })
  subject!: string;

  @Field(() => String, { nullable: true })
  expected!: string | null;

  @Field(() => String, { nullable: true })
  actual!: string | null;
}

@ObjectType('LedgerVerification')
export class LedgerVerificationType {
  @Field(() => Boolean, { description: 'True when nothing disagrees.' })
  ok!: boolean;

  @Field(() => Date)
  checkedAt!: Date;

  @Field(() => Int)
  transactions!: number;

  @Field(() => Int)
  postings!: number;

  @Field(() => Int)
  accounts!: number;

  @Field(() => Int)
  chainLength!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Hash of the last sealed transaction (hex); record it elsewhere to anchor the chain.',
  })
  chainHead!: string | null;

  @Field(() => Int, { description: 'Committed transactions not sealed yet (behind a transaction still running).' })
  unsealed!: number;

  @Field(() => [LedgerMismatchType])
  mismatches!: LedgerMismatchType[];

  static from(r: LedgerReport): LedgerVerificationType {
    return Object.assign(new LedgerVerificationType(), {
      ...r,
      mismatches: r.mismatches.map((m) =>
        Object.assign(new LedgerMismatchType(), { ...m, kind: m.kind as MismatchKind as LedgerMismatchKindEnum }),
      ),
    });
  }
}
