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
import type { LevelLimitClaim } from '../core/ledger.types.js';
import type { UserDirectory } from '../directory/directory.service.js';
import type { PriceBook } from './price-book.js';

export type LevelLimitPeriod = 'TRANSACTION' | 'DAILY' | 'MONTHLY';

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
 * it happens (`claimFor`), and `ledger.commit_batch` checks that value against the caps and stores it with the
 * movement (`ledger.limit_usage`), so the day's and month's sums are exact and one index range each. The check
 * runs under a per-user advisory lock inside the posting transaction, so two parallel movements (any assets)
 * cannot both pass a cap only one fits. Transfers use it now; withdrawals, orders and Toman payouts put
 * `claimFor`'s result in their drafts the same way.
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

  /**
   * The level-limit claim of a movement for its draft (`commit_batch` checks and records it under the user's
   * lock): `amount` of `asset` valued now (PRICE_UNAVAILABLE without a fresh price) and the caps of the user's
   * level. Null when no level has a cap.
   */
  async claimFor(em: EntityManager, userId: string, asset: string, amount: bigint): Promise<LevelLimitClaim | null> {
    if (!this.enforced) return null;
    const value = this.value(asset, amount);
    const level = await this.directory.levelOf(em, userId);
    const rule = this.ruleFor(level);
    return {
      value,
      currency: this.currency,
      level,
      perTransaction: rule.perTransaction,
      daily: rule.daily,
      monthly: rule.monthly,
    };
  }

  /** What the user already moved today and this month (reference minor units), as of the caller's transaction. */
  async used(tx: EntityManager, userId: string): Promise<{ daily: bigint; monthly: bigint }> {
    const [row] = await run<{ daily: string; monthly: string }>(tx, SUMS, [userId]);
    return { daily: BigInt(row?.daily ?? '0'), monthly: BigInt(row?.monthly ?? '0') };
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
