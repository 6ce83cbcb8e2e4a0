import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { raceRetryPolicy } from '../../../platform/backoff.js';
import { makeEvent } from '../../../platform/bus/envelope.js';
import { newId } from '../../../platform/ids.js';
import { traceCarrier, type TraceCarrier } from '../../../platform/telemetry/propagation.js';
import type { Logger } from '../../../platform/logger.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { assetOfAccount, isValidAccount, userOfAccount } from './accounts.js';
import { LedgerEvents, TRANSACTION_KINDS, type CommitOutcome, type TransactionDraft } from './ledger.types.js';
import { isRetryable } from './sql.js';

/** A batch that lost a race the database detected is tried up to three more times before its requests are isolated. */
const BATCH_RACES = raceRetryPolicy(3, isRetryable);

/** A commit's outcome plus what the poster assigned (the ids) or the database returned (the time). */
export type PostedOutcome = CommitOutcome & { createdAt?: string; seq?: string; xid?: string };

interface Pending {
  id: string;
  draft: TransactionDraft;
  /** The committer's trace context, for its event (a batch runs in one request's context, not each one's). */
  trace: TraceCarrier | null;
  resolve: (outcome: PostedOutcome) => void;
  reject: (err: unknown) => void;
  /** Requests with the same idempotency key in the same batch wait for the first one. */
  followers: Pending[];
}

export interface PosterOptions {
  /** Batches in flight at once (each holds one pooled connection while it runs); fewer lanes, bigger batches. */
  lanes: number;
  maxBatch: number;
  log: Logger;
  /** Called after a batch committed at least one transaction (wakes the outbox relay). */
  onCommitted?: () => void;
}

const STRIPES = 64;

/**
 * Commits ledger transactions through `ledger.commit_batch`: one statement, one round trip and one commit
 * per batch. A lane runs one batch at a time; requests that arrive while it is busy go into its next batch
 * (group commit in the application: the database's group commit cannot help a hot row, whose lock is held
 * until the commit is flushed, and a batch pays the function's fixed cost once). A request goes to the lane
 * of the account it debits, so one sender's requests never contend for its row from two lanes. Each request
 * is still all-or-nothing and gets its own outcome.
 */
export class LedgerPoster {
  private readonly queues: Pending[][];
  private readonly busy: boolean[];
  private readonly stripeBase = randomInt(STRIPES);

  constructor(
    private readonly em: EntityManager,
    private readonly options: PosterOptions,
  ) {
    const lanes = Math.max(1, options.lanes);
    this.queues = Array.from({ length: lanes }, () => []);
    this.busy = Array.from({ length: lanes }, () => false);
  }

  /** Commits one transaction in its lane's next batch. Throws only for an invalid draft or a database failure. */
  commit(draft: TransactionDraft): Promise<PostedOutcome> {
    validateDraft(draft);
    return new Promise<PostedOutcome>((resolve, reject) => {
      const lane = laneOf(draft, this.queues.length);
      this.queues[lane]!.push({ id: newId('txn'), draft, trace: traceCarrier(), resolve, reject, followers: [] });
      this.pump(lane);
    });
  }

  /**
   * Commits inside the caller's database transaction (holds, event consumers): no batching and no retry,
   * since a failure aborts the caller's transaction, which the caller retries as a whole.
   */
  async commitWithin(em: EntityManager, drafts: TransactionDraft[]): Promise<PostedOutcome[]> {
    drafts.forEach(validateDraft);
    const trace = traceCarrier();
    const items = drafts.map((d) => ({ id: newId('txn'), draft: d, trace }));
    return this.execute(em, items, randomInt(STRIPES));
  }

  private pump(lane: number): void {
    if (this.busy[lane] || this.queues[lane]!.length === 0) return;
    this.busy[lane] = true;
    const batch = this.take(this.queues[lane]!);
    void this.runBatch(batch, lane).finally(() => {
      this.busy[lane] = false;
      this.pump(lane);
    });
  }

  /** Up to maxBatch requests, with repeated idempotency keys folded onto their first request. */
  private take(queue: Pending[]): Pending[] {
    const batch: Pending[] = [];
    const byKey = new Map<string, Pending>();
    while (queue.length && batch.length < this.options.maxBatch) {
      const next = queue.shift()!;
      const claim = next.draft.idempotency;
      const key = claim ? `${claim.scope}\u0000${claim.key}` : null;
      const first = key ? byKey.get(key) : undefined;
      if (first) {
        first.followers.push(next);
        continue;
      }
      if (key) byKey.set(key, next);
      batch.push(next);
    }
    return batch;
  }

  private async runBatch(batch: Pending[], lane: number): Promise<void> {
    const stripe = (this.stripeBase + lane) % STRIPES;
    try {
      const outcomes = await BATCH_RACES.execute(({ attempt }) => {
        if (attempt > 0) this.options.log.warn({ attempt, size: batch.length }, 'ledger batch lost a race: retrying');
        return this.execute(this.em.fork(), batch, stripe);
      });
      batch.forEach((pending, i) => settle(pending, outcomes[i]!));
      if (outcomes.some((o) => o.outcome === 'COMMITTED' && !o.replayed)) this.options.onCommitted?.();
    } catch (err) {
      if (batch.length > 1) {
        // Isolate the request that fails: the others must not fail with it.
        this.options.log.warn({ err, size: batch.length }, 'ledger batch failed: committing its requests one by one');
        for (const pending of batch) await this.runBatch([pending], lane);
        return;
      }
      for (const pending of batch) fail(pending, err);
    }
  }

  private async execute(
    em: EntityManager,
    items: { id: string; draft: TransactionDraft; trace: TraceCarrier | null }[],
    stripe: number,
  ): Promise<PostedOutcome[]> {
    const payload = JSON.stringify(items.map(({ id, draft, trace }) => toItem(id, draft, trace)));
    const rows = await em
      .getConnection()
      .execute<{ r: PostedOutcome[] }[]>(
        'select ledger.commit_batch(?::jsonb, ?::smallint) as r',
        [payload, stripe],
        'all',
        em.getTransactionContext(),
      );
    const outcomes = rows[0]?.r;
    if (!Array.isArray(outcomes) || outcomes.length !== items.length)
      throw new Error('ledger.commit_batch returned an unexpected result');
    return outcomes.map((o) => (o.outcome === 'CONFLICT' ? o : { ...o, replayed: o.replayed === true }));
  }
}

/** The lane of the first account a draft debits (FNV-1a): the same sender, the same lane. */
function laneOf(d: TransactionDraft, lanes: number): number {
  if (lanes === 1) return 0;
  const account = d.postings[0]?.source ?? '';
  let h = 0x811c9dc5;
  for (let i = 0; i < account.length; i++) h = Math.imul(h ^ account.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

function settle(pending: Pending, outcome: PostedOutcome): void {
  pending.resolve(outcome);
  for (const follower of pending.followers) {
    const same = follower.draft.idempotency?.requestHash === pending.draft.idempotency?.requestHash;
    follower.resolve(
      !same ? { outcome: 'CONFLICT' } : outcome.outcome === 'CONFLICT' ? outcome : { ...outcome, replayed: true },
    );
  }
}

function fail(pending: Pending, err: unknown): void {
  pending.reject(err);
  for (const follower of pending.followers) follower.reject(err);
}

/** The ledger.transaction.committed event of a draft: keys and the user balances it moves. */
function committedEvent(id: string, d: TransactionDraft) {
  const balances = new Map<string, { userId: string; asset: string }>();
  for (const p of d.postings) {
    for (const account of [p.source, p.destination]) {
      const userId = userOfAccount(account);
      if (userId) balances.set(`${userId}:${p.asset}`, { userId, asset: p.asset });
    }
  }
  return makeEvent(LedgerEvents.transactionCommitted, 'ledger', {
    transactionId: id,
    kind: d.kind,
    asset: d.asset,
    amount: d.amount.toString(),
    fee: d.fee.toString(),
    reference: d.reference,
    userIds: [d.userId, d.counterpartyId].filter((u): u is string => u !== null),
    balances: [...balances.values()],
  });
}

function toItem(id: string, d: TransactionDraft, trace: TraceCarrier | null) {
  const event = committedEvent(id, d);
  if (trace) event.trace = trace;
  return {
    id,
    event,
    kind: d.kind,
    asset: d.asset,
    amount: d.amount.toString(),
    fee: d.fee.toString(),
    userId: d.userId,
    counterpartyId: d.counterpartyId,
    reference: d.reference,
    note: d.note,
    actor: d.actor,
    reason: d.reason,
    reverses: d.reverses,
    holdId: d.holdId,
    scope: d.idempotency?.scope ?? null,
    key: d.idempotency?.key ?? null,
    requestHash: d.idempotency?.requestHash ?? null,
    dailyLimit: d.dailyLimit ? { cap: d.dailyLimit.cap.toString(), amount: d.dailyLimit.amount.toString() } : null,
    levelLimit: d.levelLimit
      ? {
          value: d.levelLimit.value.toString(),
          currency: d.levelLimit.currency,
          level: d.levelLimit.level,
          perTransaction: d.levelLimit.perTransaction?.toString() ?? null,
          daily: d.levelLimit.daily?.toString() ?? null,
          monthly: d.levelLimit.monthly?.toString() ?? null,
        }
      : null,
    postings: d.postings.map((p) => [p.source, p.destination, p.asset, p.amount.toString()]),
  };
}

/**
 * Refuses a malformed draft before it reaches a batch (where it would fail its neighbours). These are
 * programming errors: services validate user input and build postings with the `accounts` helpers.
 */
export function validateDraft(d: TransactionDraft): void {
  const problems: string[] = [];
  if (!(TRANSACTION_KINDS as readonly string[]).includes(d.kind)) problems.push(`unknown kind ${d.kind}`);
  if (!assetInfo(d.asset)) problems.push(`unknown asset ${d.asset}`);
  if (d.amount < 0n || d.fee < 0n) problems.push('amount and fee must not be negative');
  if (d.postings.length === 0) problems.push('no postings');
  const parties = new Set([d.userId, d.counterpartyId].filter((u): u is string => u !== null));
  for (const p of d.postings) {
    if (p.amount <= 0n) problems.push(`posting amount ${p.amount} is not positive`);
    if (!isValidAccount(p.source) || !isValidAccount(p.destination))
      problems.push(`invalid account in ${p.source} → ${p.destination}`);
    if (p.source === p.destination) problems.push(`posting from ${p.source} to itself`);
    if (!assetInfo(p.asset) || assetOfAccount(p.source) !== p.asset || assetOfAccount(p.destination) !== p.asset)
      problems.push(`asset ${p.asset} does not match ${p.source} → ${p.destination}`);
    for (const account of [p.source, p.destination]) {
      const user = userOfAccount(account);
      if (user !== null && !parties.has(user))
        problems.push(`${account} belongs to neither the user nor the counterparty`);
    }
  }
  if (d.levelLimit && (d.levelLimit.value < 0n || !d.userId))
    problems.push('a level limit needs a user and a value ≥ 0');
  if (d.idempotency && (!d.idempotency.key || !/^[0-9a-f]{64}$/.test(d.idempotency.requestHash)))
    problems.push('idempotency claim needs a key and a sha256 hex request hash');
  if (problems.length) throw new Error(`invalid ledger transaction: ${problems.join('; ')}`);
}
