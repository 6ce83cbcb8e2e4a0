import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { isStaff } from '../../../platform/auth/viewer.js';
import {
  LIMIT_CURRENCIES,
  levelRuleFor,
  type LevelLimitPolicy,
  type LevelLimitRule,
  type LimitCurrency,
} from '../../../platform/config/ledger-rules.js';
import { forbidden, unauthenticated } from '../../../platform/errors.js';
import type { IdempotencyClaim } from '../core/ledger.types.js';
import type { UserDirectory } from '../directory/directory.service.js';
import type { PriceBook } from './price-book.js';

export type LevelLimitPeriod = 'TRANSACTION' | 'DAILY' | 'MONTHLY';

/** A level limit a money movement would exceed: amounts in the reference currency's minor unit. */
export interface LevelLimitRefusal {
  type: 'LimitExceeded';
  asset: string;
  period: LevelLimitPeriod;
  limit: bigint;
  used: bigint;
  /** What may still move in the period (limit − used, never below zero). */
  remaining: bigint;
  currency: LimitCurrency;
  level: number;
}

export interface PeriodUsage {
  period: LevelLimitPeriod;
  /** null: no cap for this level. */
  limit: bigint | null;
  used: bigint;
  remaining: bigint | null;
}

export interface UserLimits {
  level: number;
  currency: LimitCurrency;
  periods: PeriodUsage[];
}

const run = <T = Record<string, unknown>>(tx: EntityManager, sql: string, params: unknown[]) =>
  tx.getConnection().execute<T[]>(sql, params, 'all', tx.getTransactionContext());

/** Start of the UTC day and the UTC calendar month of the database's now() (the transaction's time). */
const SUMS = `select
    coalesce(sum(value) filter (where created_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'), 0)::text as daily,
    coalesce(sum(value), 0)::text as monthly
  from ledger.limit_usage
  where user_id = ? and created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'`;

/**
 * The limits policy per user level (LEDGER_LEVEL_LIMITS): per transaction, per UTC day and per UTC calendar
 * month, in one reference currency. Each outgoing movement is valued with the latest fresh market price when
 * it happens, and that value is stored with it (`ledger.limit_usage`), so the day's and month's sums are exact
 * and one index range each. Checks and the record of a movement run in the movement's own database
 * transaction under a per-user advisory lock, so two parallel movements cannot both pass a cap only one fits.
 * Transfers use it now; withdrawals, orders and Toman payouts call `evaluate`/`recordUsage` the same way.
 */
export class LevelLimits {
  constructor(
    readonly policy: LevelLimitPolicy,
    readonly prices: PriceBook,
    private readonly directory: UserDirectory,
  ) {}

  get currency(): LimitCurrency {
    return this.policy.currency;
  }

  get decimals(): number {
    return LIMIT_CURRENCIES[this.policy.currency];
  }

  ruleFor(level: number): LevelLimitRule {
    return levelRuleFor(this.policy, level);
  }

  /** Whether any level has a cap: without one, nothing needs valuing or locking. */
  get enforced(): boolean {
    return this.policy.rules.some((r) => r.perTransaction !== null || r.daily !== null || r.monthly !== null);
  }

  /** `amount` of `asset` in the reference currency's minor unit (PRICE_UNAVAILABLE without a fresh price). */
  value(asset: string, amount: bigint): bigint {
    return this.prices.value(asset, amount, this.currency, this.decimals);
  }

  /** Serializes one user's limited movements until the caller's transaction ends. */
  async lock(tx: EntityManager, userId: string): Promise<void> {
    await run(tx, 'select pg_advisory_xact_lock(hashtext(?))', [`ledger.limits:${userId}`]);
  }

  /** What the user already moved today and this month (reference minor units), as of the caller's transaction. */
  async used(tx: EntityManager, userId: string): Promise<{ daily: bigint; monthly: bigint }> {
    const [row] = await run<{ daily: string; monthly: string }>(tx, SUMS, [userId]);
    return { daily: BigInt(row?.daily ?? '0'), monthly: BigInt(row?.monthly ?? '0') };
  }

  /** The first cap moving `value` more would exceed, or null. Call under `lock`. */
  async evaluate(tx: EntityManager, userId: string, asset: string, value: bigint): Promise<LevelLimitRefusal | null> {
    const level = await this.directory.levelOf(tx, userId);
    const rule = this.ruleFor(level);
    const refuse = (period: LevelLimitPeriod, limit: bigint, used: bigint): LevelLimitRefusal => ({
      type: 'LimitExceeded',
      asset,
      period,
      limit,
      used,
      remaining: limit > used ? limit - used : 0n,
      currency: this.currency,
      level,
    });
    if (rule.perTransaction !== null && value > rule.perTransaction)
      return refuse('TRANSACTION', rule.perTransaction, 0n);
    if (rule.daily === null && rule.monthly === null) return null;
    const used = await this.used(tx, userId);
    if (rule.daily !== null && used.daily + value > rule.daily) return refuse('DAILY', rule.daily, used.daily);
    if (rule.monthly !== null && used.monthly + value > rule.monthly)
      return refuse('MONTHLY', rule.monthly, used.monthly);
    return null;
  }

  /** Counts a committed movement against its user's limits (in the movement's transaction). */
  async recordUsage(tx: EntityManager, transactionId: string, userId: string, value: bigint): Promise<void> {
    await run(
      tx,
      'insert into ledger.limit_usage (transaction_id, user_id, currency, value, created_at) values (?, ?, ?, ?, now())',
      [transactionId, userId, this.currency, value.toString()],
    );
  }

  /**
   * Makes a refusal the answer of its idempotency key, as the ledger does for its other refusals: a retry
   * with the same key gets the same LIMIT_EXCEEDED, even after the limit moved.
   */
  async recordRefusal(tx: EntityManager, claim: IdempotencyClaim, refusal: LevelLimitRefusal): Promise<void> {
    const result = {
      outcome: 'LIMIT_EXCEEDED',
      scope: 'LEVEL',
      period: refusal.period,
      limit: refusal.limit.toString(),
      used: refusal.used.toString(),
      remaining: refusal.remaining.toString(),
      currency: refusal.currency,
      level: refusal.level,
    };
    await run(
      tx,
      `insert into ledger.idempotency (scope, key, request_hash, outcome, transaction_id, result)
       values (?, ?, decode(?, 'hex'), 'LIMIT_EXCEEDED', null, ?::jsonb)`,
      [claim.scope, claim.key, claim.requestHash, JSON.stringify(result)],
    );
  }

  /** The user's caps, what they used and what is left, per period. The user themselves or staff. */
  async limitsOf(em: EntityManager, viewer: Viewer, userId: string): Promise<UserLimits> {
    if (!viewer.userId) throw unauthenticated();
    if (viewer.userId !== userId && !isStaff(viewer)) throw forbidden('Only the user and staff see their limits');
    const level = await this.directory.levelOf(em, userId);
    const rule = this.ruleFor(level);
    const used = await this.used(em, userId);
    const period = (p: LevelLimitPeriod, limit: bigint | null, u: bigint): PeriodUsage => ({
      period: p,
      limit,
      used: u,
      remaining: limit === null ? null : limit > u ? limit - u : 0n,
    });
    const daily = period('DAILY', rule.daily, used.daily);
    const monthly = period('MONTHLY', rule.monthly, used.monthly);
    // One transaction may move at most its own cap and what is left of the day and the month.
    const left = [rule.perTransaction, daily.remaining, monthly.remaining].filter((v): v is bigint => v !== null);
    const transaction: PeriodUsage = {
      period: 'TRANSACTION',
      limit: rule.perTransaction,
      used: 0n,
      remaining: left.length ? left.reduce((a, b) => (a < b ? a : b)) : null,
    };
    return { level, currency: this.currency, periods: [transaction, daily, monthly] };
  }
}
