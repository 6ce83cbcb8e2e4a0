import { z } from 'zod';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import {
  DEFAULT_LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD,
  DEFAULT_LEDGER_FEES,
  DEFAULT_LEDGER_LIMITS,
  parseAdjustmentThresholds,
  parseLedgerFees,
  parseLedgerLimits,
  type FeeRule,
  type LimitRule,
} from '../ledger-rules.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { subgraphSections } from './subgraph.js';

export interface LedgerSettings {
  port: number;
  /** Transfer fee per asset symbol, credited to fees:<asset>. */
  fees: Record<string, FeeRule>;
  /** Transfer limits per asset symbol (per transfer, per user per UTC day). */
  limits: Record<string, LimitRule>;
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
}

const ledger = section(
  {
    LEDGER_PORT: port.default(SERVICE_PORT_VARIABLES.ledger[1]),
    LEDGER_FEES: z.string().default(DEFAULT_LEDGER_FEES),
    LEDGER_LIMITS: z.string().default(DEFAULT_LEDGER_LIMITS),
    LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD: z.string().default(DEFAULT_LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD),
    LEDGER_SEAL_INTERVAL_MS: positiveInt.default(200),
    LEDGER_HOLD_SWEEP_MS: positiveInt.default(5_000),
    LEDGER_POSTING_LANES: positiveInt.max(64).default(1),
    // At least a day: a client retrying within a day must never move money twice.
    LEDGER_IDEMPOTENCY_RETENTION_DAYS: positiveInt.default(30),
  },
  (e, ctx): LedgerSettings => ({
    port: e.LEDGER_PORT,
    fees: ctx.parse<Record<string, FeeRule>>('LEDGER_FEES', {}, () => parseLedgerFees(e.LEDGER_FEES)),
    limits: ctx.parse<Record<string, LimitRule>>('LEDGER_LIMITS', {}, () => parseLedgerLimits(e.LEDGER_LIMITS)),
    adjustmentApprovalThresholds: ctx.parse<Record<string, bigint | null>>(
      'LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD',
      {},
      () => parseAdjustmentThresholds(e.LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD),
    ),
    sealIntervalMs: e.LEDGER_SEAL_INTERVAL_MS,
    holdSweepMs: e.LEDGER_HOLD_SWEEP_MS,
    postingLanes: e.LEDGER_POSTING_LANES,
    idempotencyRetentionDays: e.LEDGER_IDEMPOTENCY_RETENTION_DAYS,
  }),
);

export const ledgerProcess = defineProcess('ledger', { ...subgraphSections, ledger });
export type LedgerConfig = ConfigOf<typeof ledgerProcess>;
