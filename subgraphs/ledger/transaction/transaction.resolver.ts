import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { isStaff } from '../../../platform/auth/viewer.js';
import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import { byKeys } from '../../../platform/graphql/loaders.js';
import { bucketOfAccount, userOfAccount } from '../core/accounts.js';
import type { LedgerContext } from '../context.js';
import type { PostingRecord, TransactionPage, TransactionRecord } from './transaction.service.js';
import {
  CounterpartyType,
  PostingType,
  TransactionConnection,
  TransactionDirectionEnum,
  TransactionType,
} from './transaction.type.js';
import { connectionFrom } from '../../../platform/graphql/page-info.js';

export function connectionOf(page: TransactionPage): TransactionConnection {
  const edges = page.nodes.map((record, i) => ({ cursor: page.cursors[i]!, node: TransactionType.from(record) }));
  return connectionFrom(edges, page.hasNextPage);
}

/** Transactions by id through a per-request loader, visible ones only (parties and staff). */
function loadTransactions(ctx: LedgerContext, ids: readonly string[]): Promise<(TransactionType | null)[]> {
  return ctx.loaders
    .get<TransactionRecord>('transactions', async (keys) =>
      byKeys(keys, await ctx.ledger.transactions.byIds(ctx.em, keys), (t) => t.id),
    )
    .loadMany([...ids])
    .then((records) =>
      records.map((r) =>
        r && !(r instanceof Error) && ctx.ledger.transactions.canSee(ctx.viewer, r) ? TransactionType.from(r) : null,
      ),
    );
}

export const transactionReference = batchedReference<TransactionType, LedgerContext>('Transaction', 'id', (ids, ctx) =>
  loadTransactions(ctx, ids),
);

/** Whose point of view a transaction is shown from: the viewer when they are a party, else its user. */
function subjectOf(ctx: LedgerContext, t: TransactionRecord): string | null {
  const me = ctx.viewer.userId;
  return me && (t.userId === me || t.counterpartyId === me) ? me : t.userId;
}

@Resolver(() => TransactionType)
export class TransactionResolver {
  @Query(() => TransactionType, {
    nullable: true,
    description: 'One transaction; null unless the viewer is a party to it or staff.',
  })
  async transaction(@Arg('id', () => ID) id: string, @Ctx() ctx: LedgerContext): Promise<TransactionType | null> {
    const [t] = await loadTransactions(ctx, [id]);
    return t ?? null;
  }

  @FieldResolver(() => [PostingType])
  async postings(@Root() t: TransactionType, @Ctx() ctx: LedgerContext): Promise<PostingType[]> {
    return (await postingsOf(ctx, t.id)).map(PostingType.from);
  }

  @FieldResolver(() => TransactionDirectionEnum)
  async direction(@Root() t: TransactionType, @Ctx() ctx: LedgerContext): Promise<TransactionDirectionEnum> {
    const subject = subjectOf(ctx, t.record);
    if (!subject) return TransactionDirectionEnum.NONE;
    let total = 0n;
    let available = 0n;
    for (const p of await postingsOf(ctx, t.id)) {
      for (const [account, sign] of [
        [p.source, -1n],
        [p.destination, 1n],
      ] as const) {
        if (userOfAccount(account) !== subject) continue;
        total += sign * p.amount;
        if (bucketOfAccount(account) === 'available') available += sign * p.amount;
      }
    }
    if (total > 0n) return TransactionDirectionEnum.IN;
    if (total < 0n) return TransactionDirectionEnum.OUT;
    if (available < 0n) return TransactionDirectionEnum.HOLD;
    if (available > 0n) return TransactionDirectionEnum.RELEASE;
    return TransactionDirectionEnum.NONE;
  }

  @FieldResolver(() => CounterpartyType, {
    nullable: true,
    description: 'The other user of a transfer, seen from the viewer.',
  })
  async counterparty(@Root() t: TransactionType, @Ctx() ctx: LedgerContext): Promise<CounterpartyType | null> {
    const subject = subjectOf(ctx, t.record);
    const other = subject === t.record.counterpartyId ? t.record.userId : t.record.counterpartyId;
    if (!other) return null;
    const username = await ctx.loaders
      .get<string>('usernames', async (ids) => {
        const names = await ctx.ledger.directory.usernamesOf(ctx.em, ids);
        return ids.map((id) => names.get(id) ?? null);
      })
      .load(other);
    return Object.assign(new CounterpartyType(), { id: other, username });
  }

  @FieldResolver(() => TransactionType, { nullable: true, description: 'The reversal that undid this transaction.' })
  async reversedBy(@Root() t: TransactionType, @Ctx() ctx: LedgerContext): Promise<TransactionType | null> {
    return t.record.reversedBy ? ((await loadTransactions(ctx, [t.record.reversedBy]))[0] ?? null) : null;
  }

  @FieldResolver(() => TransactionType, { nullable: true, description: 'For a REVERSAL: the transaction it undid.' })
  async reverses(@Root() t: TransactionType, @Ctx() ctx: LedgerContext): Promise<TransactionType | null> {
    return t.record.reverses ? ((await loadTransactions(ctx, [t.record.reverses]))[0] ?? null) : null;
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'Staff: who caused it (user or admin id, or system:<source>); null for others.',
  })
  actor(@Root() t: TransactionType, @Ctx() ctx: LedgerContext): string | null {
    return isStaff(ctx.viewer) ? t.record.actor : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Staff: why (adjustments, reversals, expired holds); null for others.',
  })
  reason(@Root() t: TransactionType, @Ctx() ctx: LedgerContext): string | null {
    return isStaff(ctx.viewer) ? t.record.reason : null;
  }
}

function postingsOf(ctx: LedgerContext, transactionId: string): Promise<PostingRecord[]> {
  return ctx.loaders
    .get<PostingRecord[]>('postings', async (ids) => {
      const byTransaction = new Map<string, PostingRecord[]>();
      for (const row of await ctx.ledger.transactions.postingsOf(ctx.em, ids)) {
        const list = byTransaction.get(row.transactionId);
        if (list) list.push(row);
        else byTransaction.set(row.transactionId, [row]);
      }
      return ids.map((id) => byTransaction.get(id) ?? []);
    })
    .load(transactionId)
    .then((rows) => rows ?? []);
}
