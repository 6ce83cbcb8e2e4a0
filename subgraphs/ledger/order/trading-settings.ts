import type { EntityManager } from '@mikro-orm/postgresql';
import { orderFeeFor, type OrderFeeRule, type OrderRules } from '../../../platform/config/order-rules.js';

export interface PairSetting {
  pair: string;
  enabled: boolean;
  spreadBps: number;
  /** The largest short position (US cents) the exchange may take in the asset it pays out on this pair; null: none. */
  exposureCapUsdCents: bigint | null;
  /** Whether staff set anything for this pair (otherwise these are the configuration's defaults). */
  custom: boolean;
}

const run = <T = Record<string, unknown>>(em: EntityManager, sql: string, params: unknown[] = []) =>
  em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

interface PairRow {
  pair: string;
  enabled: boolean;
  spread_bps: number | null;
  exposure_cap_usd_cents: string | null;
}
interface FeeRow {
  level: number;
  fixed_usd_cents: string;
  bps: number;
}

/** How long a process trusts its copy of the staff's settings for quotes (placing re-reads them). */
const CACHE_MS = 1_000;

/**
 * The staff's trading settings (`ledger.trading_pair`, `ledger.trading_fee`) over the configuration's defaults
 * (LEDGER_ORDER_SPREADS, LEDGER_ORDER_FEES). Quotes read a copy at most one second old; placing an order reads
 * the pair's row in its own transaction, so a pair switched off refuses orders from then on.
 */
export class TradingSettings {
  private cache: { at: number; pairs: Map<string, PairRow>; fees: OrderFeeRule[] } | null = null;

  constructor(private readonly rules: OrderRules) {}

  get quoteTtlMs(): number {
    return this.rules.quoteTtlSeconds * 1000;
  }

  private async load(em: EntityManager, fresh: boolean) {
    if (!fresh && this.cache && Date.now() - this.cache.at < CACHE_MS) return this.cache;
    const [pairs, fees] = await Promise.all([
      run<PairRow>(em, 'select pair, enabled, spread_bps, exposure_cap_usd_cents::text from ledger.trading_pair'),
      run<FeeRow>(em, 'select level, fixed_usd_cents::text, bps from ledger.trading_fee order by level'),
    ]);
    const byLevel = new Map<number, OrderFeeRule>(this.rules.fees.map((f) => [f.level, f]));
    for (const f of fees)
      byLevel.set(f.level, { level: f.level, fixedUsdCents: BigInt(f.fixed_usd_cents), bps: f.bps });
    const loaded = {
      at: Date.now(),
      pairs: new Map(pairs.map((p) => [p.pair, p])),
      fees: [...byLevel.values()].sort((a, b) => a.level - b.level),
    };
    if (!fresh || !em.getTransactionContext()) this.cache = loaded;
    return loaded;
  }

  private settingOf(pair: string, row: PairRow | undefined): PairSetting {
    return {
      pair,
      enabled: row?.enabled ?? true,
      spreadBps: row?.spread_bps ?? this.rules.spreads[pair] ?? this.rules.defaultSpreadBps,
      exposureCapUsdCents: row?.exposure_cap_usd_cents != null ? BigInt(row.exposure_cap_usd_cents) : null,
      custom: row !== undefined,
    };
  }

  /** The pair's settings; `fresh` reads the table in the caller's transaction instead of the process's copy. */
  async pair(em: EntityManager, pair: string, fresh = false): Promise<PairSetting> {
    if (fresh) {
      const [row] = await run<PairRow>(
        em,
        'select pair, enabled, spread_bps, exposure_cap_usd_cents::text from ledger.trading_pair where pair = ?',
        [pair],
      );
      return this.settingOf(pair, row);
    }
    return this.settingOf(pair, (await this.load(em, false)).pairs.get(pair));
  }

  async pairs(em: EntityManager): Promise<PairSetting[]> {
    const { pairs } = await this.load(em, true);
    return [...pairs.values()].map((row) => this.settingOf(row.pair, row));
  }

  async feeFor(em: EntityManager, level: number): Promise<OrderFeeRule> {
    return orderFeeFor((await this.load(em, false)).fees, level);
  }

  async fees(em: EntityManager): Promise<OrderFeeRule[]> {
    return (await this.load(em, true)).fees;
  }

  /** Staff: changes what is given (null leaves a field as it is; `clearCap` removes the cap). */
  async setPair(
    em: EntityManager,
    staffId: string,
    pair: string,
    change: {
      enabled?: boolean | null;
      spreadBps?: number | null;
      exposureCapUsdCents?: bigint | null;
      clearCap?: boolean;
    },
  ): Promise<PairSetting> {
    const current = await this.pair(em, pair, true);
    const enabled = change.enabled ?? current.enabled;
    const spread = change.spreadBps ?? current.spreadBps;
    const cap = change.clearCap ? null : (change.exposureCapUsdCents ?? current.exposureCapUsdCents);
    await run(
      em,
      `insert into ledger.trading_pair (pair, enabled, spread_bps, exposure_cap_usd_cents, updated_by) values (?, ?, ?, ?, ?)
       on conflict (pair) do update set enabled = excluded.enabled, spread_bps = excluded.spread_bps,
         exposure_cap_usd_cents = excluded.exposure_cap_usd_cents, updated_by = excluded.updated_by, updated_at = now()`,
      [pair, enabled, spread, cap === null ? null : cap.toString(), staffId],
    );
    this.cache = null;
    return this.pair(em, pair, true);
  }

  async setFee(em: EntityManager, staffId: string, rule: OrderFeeRule): Promise<OrderFeeRule> {
    await run(
      em,
      `insert into ledger.trading_fee (level, fixed_usd_cents, bps, updated_by) values (?, ?, ?, ?)
       on conflict (level) do update set fixed_usd_cents = excluded.fixed_usd_cents, bps = excluded.bps,
         updated_by = excluded.updated_by, updated_at = now()`,
      [rule.level, rule.fixedUsdCents.toString(), rule.bps, staffId],
    );
    this.cache = null;
    return rule;
  }
}
