import type { EntityManager } from '@mikro-orm/postgresql';
import type { LimitCurrency } from '../../../platform/config/ledger-rules.js';
import { conflict } from '../../../platform/errors.js';
import type { PostingRecord, TransactionRecord, TransactionService } from '../transaction/transaction.service.js';
import { draft, type IdempotencyClaim, type TransactionDraft } from './ledger.types.js';
import type { LedgerPoster, PostedOutcome } from './poster.js';

/** What a money operation returns: the transaction, or why nothing moved (GraphQL result unions). */
export type LedgerResult =
  | { type: 'Transaction'; transaction: TransactionRecord; replayed: boolean }
  | { type: 'InsufficientFunds'; asset: string; available: bigint; required: bigint }
  | {
      type: 'LimitExceeded';
      asset: string;
      /** TRANSFER, DAY: the asset's own caps (LEDGER_LIMITS); TRANSACTION, DAILY, MONTHLY: the level's (LEDGER_LEVEL_LIMITS). */
      period: 'TRANSFER' | 'DAY' | 'TRANSACTION' | 'DAILY' | 'MONTHLY';
      limit: bigint;
      used: bigint;
      /** What may still move in the period. */
      remaining: bigint;
      /** The reference currency of a level limit; null: amounts in the asset's unit. */
      currency: LimitCurrency | null;
      /** The user's level a level limit belongs to. */
      level: number | null;
    }
  | { type: 'RecipientNotFound'; message: string };

/** Posting plus reading back: turns commit outcomes into results, replays into the original transaction. */
export class Ledger {
  constructor(
    readonly poster: LedgerPoster,
    readonly transactions: TransactionService,
  ) {}

  /** Commits one transaction (batched with concurrent ones). */
  async commit(em: EntityManager, draft: TransactionDraft): Promise<LedgerResult> {
    return this.resultOf(em, draft, await this.poster.commit(draft));
  }

  /** Commits inside the caller's database transaction. */
  async commitWithin(tx: EntityManager, draft: TransactionDraft): Promise<LedgerResult> {
    const [outcome] = await this.poster.commitWithin(tx, [draft]);
    return this.resultOf(tx, draft, outcome!);
  }

  /** Whether an idempotency key was already used in its scope (whatever the request). */
  async claimed(em: EntityManager, claim: { scope: string; key: string }): Promise<boolean> {
    const rows = await em
      .getConnection()
      .execute(
        'select 1 from ledger.idempotency where scope = ? and key = ?',
        [claim.scope, claim.key],
        'all',
        em.getTransactionContext(),
      );
    return rows.length > 0;
  }

  async resultOf(em: EntityManager, draft: TransactionDraft, outcome: PostedOutcome): Promise<LedgerResult> {
    switch (outcome.outcome) {
      case 'CONFLICT':
        throw conflict('This idempotencyKey was already used for a different request', { field: 'idempotencyKey' });
      case 'INSUFFICIENT_FUNDS':
        return {
          type: 'InsufficientFunds',
          asset: outcome.asset,
          available: BigInt(outcome.balance),
          required: BigInt(outcome.needed),
        };
      case 'LIMIT_EXCEEDED': {
        const limit = BigInt(outcome.limit);
        const used = BigInt(outcome.used);
        if (outcome.scope === 'LEVEL')
          return {
            type: 'LimitExceeded',
            asset: draft.asset,
            period: outcome.period as 'TRANSACTION' | 'DAILY' | 'MONTHLY',
            limit,
            used,
            remaining: BigInt(outcome.remaining ?? '0'),
            currency: outcome.currency as LimitCurrency,
            level: outcome.level ?? null,
          };
        return {
          type: 'LimitExceeded',
          asset: draft.asset,
          period: 'DAY',
          limit,
          used,
          remaining: limit > used ? limit - used : 0n,
          currency: null,
          level: null,
        };
      }
      case 'COMMITTED':
        if (outcome.replayed || !outcome.createdAt) {
          const [record] = await this.transactions.byIds(em, [outcome.transactionId]);
          if (!record) throw new Error(`committed transaction ${outcome.transactionId} is not readable`);
          return { type: 'Transaction', transaction: record, replayed: outcome.replayed };
        }
        return { type: 'Transaction', transaction: recordOf(draft, outcome), replayed: false };
    }
  }
}

/** A REVERSAL of `original`: every posting turned around, same parties, amount, fee and reference. */
export function reversalDraft(
  original: TransactionRecord,
  postings: PostingRecord[],
  fields: { actor: string; reason: string; idempotency?: IdempotencyClaim | null },
): TransactionDraft {
  return draft({
    kind: 'REVERSAL',
    asset: original.asset,
    amount: original.amount,
    fee: original.fee,
    userId: original.userId,
    counterpartyId: original.counterpartyId,
    reference: original.reference,
    actor: fields.actor,
    reason: fields.reason,
    reverses: original.id,
    postings: postings.map((p) => ({ source: p.destination, destination: p.source, asset: p.asset, amount: p.amount })),
    idempotency: fields.idempotency ?? null,
  });
}

/** The record of a transaction this process just committed, without reading it back. */
function recordOf(d: TransactionDraft, o: Extract<PostedOutcome, { outcome: 'COMMITTED' }>): TransactionRecord {
  return {
    id: o.transactionId,
    seq: o.seq ?? '0',
    xid: o.xid ?? '0',
    kind: d.kind,
    asset: d.asset,
    amount: d.amount,
    fee: d.fee,
    userId: d.userId,
    counterpartyId: d.counterpartyId,
    reference: d.reference,
    note: d.note,
    actor: d.actor,
    reason: d.reason,
    reverses: d.reverses,
    holdId: d.holdId,
    createdAt: new Date(o.createdAt!),
    reversedBy: null,
  };
}
