import { BigIntType, Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { Network } from '../../../chains/network.js';
import type { DepositStatus } from './deposit.events.js';

/**
 * One on-chain output to one of our addresses (native coin or USDT), unique by (network, txHash,
 * outputIndex). Written by the chain watchers (deposit.ingest.ts) and by the ledger-event consumer
 * (credited); read through GraphQL. Amounts are integers in the asset's minor unit.
 *
 * Lifecycle: DETECTED (in a block) → CONFIRMING (more blocks on top; at the required confirmations the
 * credit is requested: confirmedAt/confirmEventId) → CREDITED (the ledger posted it: transactionId).
 * REORGED: its block left the canonical chain (after a credit, reversalTransactionId links the ledger's
 * REVERSAL). IGNORED: below the asset's minimum deposit (dust), never credited.
 */
@Entity({ tableName: 'deposit' })
export class Deposit {
  [OptionalProps]?: 'detectedAt' | 'updatedAt';

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  network!: Network;

  @Property({ type: 'text' })
  asset!: string;

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  walletId!: string;

  @Property({ type: new BigIntType('bigint'), columnType: 'numeric(78,0)' })
  amount!: bigint;

  @Property({ type: 'text' })
  fromAddress!: string;

  @Property({ type: 'text' })
  toAddress!: string;

  @Property({ type: 'text' })
  txHash!: string;

  @Property({ type: 'integer' })
  outputIndex!: number;

  @Property({ type: new BigIntType('bigint'), columnType: 'bigint' })
  blockNumber!: bigint;

  @Property({ type: 'text' })
  blockHash!: string;

  @Property({ type: 'integer' })
  confirmations!: number;

  @Property({ type: 'integer' })
  requiredConfirmations!: number;

  @Property({ type: 'text' })
  status!: DepositStatus;

  @Property({ type: 'timestamptz' })
  detectedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  confirmedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  confirmEventId: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  creditedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  transactionId: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  reorgedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  reversalTransactionId: string | null = null;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}

/** A credited deposit of this user was reorged away: no withdrawal until staff lift the freeze (one per deposit). */
@Entity({ tableName: 'withdrawal_freeze' })
export class WithdrawalFreeze {
  [OptionalProps]?: 'id' | 'frozenAt';

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'text', nullable: true })
  depositId: string | null = null;

  @Property({ type: 'timestamptz' })
  frozenAt: Date = new Date();
}

export const depositEntities = [Deposit, WithdrawalFreeze];
