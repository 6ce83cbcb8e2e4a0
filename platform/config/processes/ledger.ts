import { z } from 'zod';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import {
  DEFAULT_LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD,
  DEFAULT_LEDGER_FEES,
  DEFAULT_LEDGER_LEVEL_LIMITS,
  DEFAULT_LEDGER_LIMITS,
  parseAdjustmentThresholds,
  parseLevelLimits,
  type LevelLimitPolicy,
  parseLedgerFees,
  parseLedgerLimits,
  type FeeRule,
  type LimitRule,
} from '../ledger-rules.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import {
  DEFAULT_ORDER_FEES,
  DEFAULT_ORDER_SPREADS,
  parseOrderFees,
  parseOrderSpreads,
  type OrderRules,
} from '../order-rules.js';
import { subgraphSections } from './subgraph.js';

export interface LedgerSettings {
  port: number;
  /** Transfer fee per asset symbol, credited to fees:<asset>. */
  fees: Record<string, FeeRule>;
  /** Transfer limits per asset symbol (per transfer, per user per UTC day). */
  limits: Record<string, LimitRule>;
  /** Caps per user level in one reference currency (per transaction, UTC day, UTC calendar month). */
  levelLimits: LevelLimitPolicy;
  /** A market price older than this (its observation time) is not used to value a transfer (PRICE_UNAVAILABLE). */
  priceMaxAgeSeconds: number;
  /** Per asset symbol: adjustments above this amount (minor units) wait for a second staff approval; null = never. */
  adjustmentApprovalThresholds: Record<string, bigint | null>;
  /** How often committed transactions are sealed into the hash chain. */
  sealIntervalMs: number;
  /** How often expired holds are released. */
  holdSweepMs: number;
  /** Posting batches in flight at once per process (fewer lanes, bigger batches). */
  postingLanes: number;
  /** Days an idempotency key is remembered; a key older than this is forgotten and may be used again. */
  idempotencyRetentionDays: number;
  /** The instant exchange's defaults (quote lifetime, price freshness, spreads, fees per level). */
  orders: OrderRules;
  /** Minutes between automatic proof-of-reserves snapshots of every asset; 0 = staff publish them. */
  reserveSnapshotIntervalMinutes: number;
}

const ledger = section(
  {
    LEDGER_PORT: port.default(SERVICE_PORT_VARIABLES.ledger[1]),
    LEDGER_FEES: z.string().default(DEFAULT_LEDGER_FEES),
    LEDGER_LIMITS: z.string().default(DEFAULT_LEDGER_LIMITS),
    LEDGER_LEVEL_LIMITS: z.string().default(DEFAULT_LEDGER_LEVEL_LIMITS),
    LEDGER_PRICE_MAX_AGE_SECONDS: positiveInt.default(900),
    LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD: z.string().default(DEFAULT_LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD),
    LEDGER_SEAL_INTERVAL_MS: positiveInt.default(200),
    LEDGER_HOLD_SWEEP_MS: positiveInt.default(5_000),
    LEDGER_POSTING_LANES: positiveInt.max(64).default(1),
    // At least a day: a client retrying within a day must never move money twice.
    LEDGER_IDEMPOTENCY_RETENTION_DAYS: positiveInt.default(30),
    LEDGER_ORDER_QUOTE_TTL_SECONDS: positiveInt.max(300).default(15),
    LEDGER_ORDER_PRICE_MAX_AGE_SECONDS: positiveInt.default(120),
    LEDGER_ORDER_SPREADS: z.string().default(DEFAULT_ORDER_SPREADS),
    LEDGER_ORDER_FEES: z.string().default(DEFAULT_ORDER_FEES),
    // Proof of reserves: publish a snapshot of every asset this often (0 = only when staff publish one).
    LEDGER_RESERVE_SNAPSHOT_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(525_600).default(0),
  },
  (e, ctx): LedgerSettings => ({
    port: e.LEDGER_PORT,
    fees: ctx.parse<Record<string, FeeRule>>('LEDGER_FEES', {}, () => parseLedgerFees(e.LEDGER_FEES)),
    limits: ctx.parse<Record<string, LimitRule>>('LEDGER_LIMITS', {}, () => parseLedgerLimits(e.LEDGER_LIMITS)),
    levelLimits: ctx.parse<LevelLimitPolicy>('LEDGER_LEVEL_LIMITS', { currency: 'USD', rules: [] }, () =>
      parseLevelLimits(e.LEDGER_LEVEL_LIMITS),
    ),
    priceMaxAgeSeconds: e.LEDGER_PRICE_MAX_AGE_SECONDS,
    adjustmentApprovalThresholds: ctx.parse<Record<string, bigint | null>>(
      'LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD',
      {},
      () => parseAdjustmentThresholds(e.LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD),
    ),
    sealIntervalMs: e.LEDGER_SEAL_INTERVAL_MS,
    holdSweepMs: e.LEDGER_HOLD_SWEEP_MS,
    postingLanes: e.LEDGER_POSTING_LANES,
    idempotencyRetentionDays: e.LEDGER_IDEMPOTENCY_RETENTION_DAYS,
    orders: {
      quoteTtlSeconds: e.LEDGER_ORDER_QUOTE_TTL_SECONDS,
      priceMaxAgeSeconds: e.LEDGER_ORDER_PRICE_MAX_AGE_SECONDS,
      ...ctx.parse('LEDGER_ORDER_SPREADS', { spreads: {}, defaultSpreadBps: 0 }, () =>
        parseOrderSpreads(e.LEDGER_ORDER_SPREADS),
      ),
      fees: ctx.parse('LEDGER_ORDER_FEES', [{ level: 1, fixedUsdCents: 0n, bps: 0 }], () =>
        parseOrderFees(e.LEDGER_ORDER_FEES),
      ),
    },
    reserveSnapshotIntervalMinutes: e.LEDGER_RESERVE_SNAPSHOT_INTERVAL_MINUTES,
  }),
);

export const ledgerProcess = defineProcess('ledger', { ...subgraphSections, ledger });
export type LedgerConfig = ConfigOf<typeof ledgerProcess>;
