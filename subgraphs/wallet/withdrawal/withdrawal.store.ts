import type { EntityManager } from '@mikro-orm/postgresql';
import type { Network } from '../../../chains/network.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import type { FeeQuote, SignedPayout } from '../payout/payout.port.js';
import {
  WithdrawalEvents,
  type WithdrawalChangedPayload,
  type WithdrawalCompletedPayload,
  type WithdrawalFailedPayload,
} from './withdrawal.events.js';

export const WITHDRAWAL_STATUSES = [
  'REQUESTED',
  'PENDING_APPROVAL',
  'APPROVED',
  'SIGNED',
  'BROADCAST',
  'CONFIRMING',
  'COMPLETED',
  'REJECTED',
  'CANCELLED',
  'FAILED',
] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

/**
 * The allowed moves, the same pairs as `wallet.withdrawal_transition` (whose trigger refuses any other update of
 * `status`, so no code path can move a withdrawal backwards). REQUESTED → COMPLETED is an internal transfer (the
 * ledger moved it user to user at once); BROADCAST → COMPLETED a transaction final in one look.
 */
export const TRANSITIONS: Readonly<Record<WithdrawalStatus, readonly WithdrawalStatus[]>> = {
  REQUESTED: ['PENDING_APPROVAL', 'APPROVED', 'REJECTED', 'COMPLETED'],
  PENDING_APPROVAL: ['APPROVED', 'REJECTED', 'CANCELLED'],
  APPROVED: ['SIGNED', 'FAILED'],
  SIGNED: ['BROADCAST', 'FAILED'],
  BROADCAST: ['CONFIRMING', 'COMPLETED', 'FAILED'],
  CONFIRMING: ['COMPLETED', 'FAILED'],
  COMPLETED: [],
  REJECTED: [],
  CANCELLED: [],
  FAILED: [],
};

export const FINAL_STATUSES: readonly WithdrawalStatus[] = ['COMPLETED', 'REJECTED', 'CANCELLED', 'FAILED'];

export function canMove(from: WithdrawalStatus, to: WithdrawalStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export interface WithdrawalRecord {
  id: string;
  userId: string;
  network: Network;
  asset: string;
  toAddress: string;
  memo: string | null;
  /** What the recipient receives, minor units. */
  amount: bigint;
  /** What the user pays for the network fee, in the asset (minor units); 0 for an internal transfer. */
  fee: bigint;
  feeQuote: StoredFeeQuote | null;
  /** USD cents at request time; null when no fresh price (then approval is required). */
  usdValue: bigint | null;
  needsApproval: boolean;
  /** The platform user whose deposit address is the destination (internal transfer), else null. */
  internalUserId: string | null;
  status: WithdrawalStatus;
  idempotencyKey: string;
  requestHash: string;
  rejectCode: string | null;
  rejectReason: string | null;
  /** The ledger's facts about a refusal (available/required, limit/remaining…). */
  rejectDetail: Record<string, unknown>;
  decidedBy: string | null;
  ledgerTransactionId: string | null;
  txHash: string | null;
  confirmations: number;
  /** Actual network fee, in the network's native asset, once confirmed. */
  networkFee: bigint | null;
  attempts: number;
  lastError: string | null;
  broadcastAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A FeeQuote as stored (bigints as decimal strings). */
export interface StoredFeeQuote {
  feeAsset: string;
  maxFee: string;
  expectedFee: string;
  detail: Record<string, string>;
}

export interface WithdrawalRow {
  id: string;
  user_id: string;
  network: Network;
  asset: string;
  to_address: string;
  memo: string | null;
  amount: string;
  fee: string;
  fee_quote: StoredFeeQuote | Record<string, never>;
  usd_value: string | null;
  needs_approval: boolean;
  internal_user_id: string | null;
  status: WithdrawalStatus;
  idempotency_key: string;
  request_hash: string;
  reject_code: string | null;
  reject_reason: string | null;
  reject_detail: Record<string, unknown>;
  decided_by: string | null;
  ledger_transaction_id: string | null;
  tx_hash: string | null;
  confirmations: number;
  network_fee: string | null;
  attempts: number;
  last_error: string | null;
  broadcast_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The select list of a withdrawal row; `t` is the table alias (a RETURNING over a join needs it). */
export function withdrawalColumns(t = 'wallet.withdrawal'): string {
  return `${t}.id, ${t}.user_id, ${t}.network, ${t}.asset, ${t}.to_address, ${t}.memo, ${t}.amount::text as amount,
  ${t}.fee::text as fee, ${t}.fee_quote, ${t}.usd_value::text as usd_value, ${t}.needs_approval, ${t}.internal_user_id,
  ${t}.status, ${t}.idempotency_key, ${t}.request_hash, ${t}.reject_code, ${t}.reject_reason, ${t}.reject_detail, ${t}.decided_by,
  ${t}.ledger_transaction_id, ${t}.tx_hash, ${t}.confirmations, ${t}.network_fee::text as network_fee, ${t}.attempts,
  ${t}.last_error, ${t}.broadcast_at, ${t}.created_at, ${t}.updated_at`;
}

export const WITHDRAWAL_COLUMNS = withdrawalColumns();

export function recordOf(r: WithdrawalRow): WithdrawalRecord {
  return {
    id: r.id,
    userId: r.user_id,
    network: r.network,
    asset: r.asset,
    toAddress: r.to_address,
    memo: r.memo,
    amount: BigInt(r.amount),
    fee: BigInt(r.fee),
    feeQuote: 'feeAsset' in r.fee_quote ? (r.fee_quote as StoredFeeQuote) : null,
    usdValue: r.usd_value === null ? null : BigInt(r.usd_value),
    needsApproval: r.needs_approval,
    internalUserId: r.internal_user_id,
    status: r.status,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    rejectCode: r.reject_code,
    rejectReason: r.reject_reason,
    rejectDetail: r.reject_detail ?? {},
    decidedBy: r.decided_by,
    ledgerTransactionId: r.ledger_transaction_id,
    txHash: r.tx_hash,
    confirmations: r.confirmations,
    networkFee: r.network_fee === null ? null : BigInt(r.network_fee),
    attempts: r.attempts,
    lastError: r.last_error,
    broadcastAt: r.broadcast_at === null ? null : new Date(r.broadcast_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export function storeQuote(q: FeeQuote): StoredFeeQuote {
  return {
    feeAsset: q.feeAsset,
    maxFee: q.maxFee.toString(),
    expectedFee: q.expectedFee.toString(),
    detail: q.detail,
  };
}

export function quoteOf(network: Network, q: StoredFeeQuote): FeeQuote {
  return {
    network,
    feeAsset: q.feeAsset,
    maxFee: BigInt(q.maxFee),
    expectedFee: BigInt(q.expectedFee),
    detail: q.detail,
  };
}

/** A SignedPayout as stored in wallet.withdrawal_tx (bigints as strings, dates as ISO text). */
interface StoredSigned {
  network: Network;
  reference: string;
  from: string;
  txHash: string;
  raw: string;
  sequence: string | null;
  maxFee: string;
  expiresAt: string | null;
}

export function storeSigned(s: SignedPayout): StoredSigned {
  return {
    network: s.network,
    reference: s.reference,
    from: s.from,
    txHash: s.txHash,
    raw: s.raw,
    sequence: s.sequence === null ? null : s.sequence.toString(),
    maxFee: s.maxFee.toString(),
    expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
  };
}

export function signedOf(s: StoredSigned): SignedPayout {
  return {
    network: s.network,
    reference: s.reference,
    from: s.from,
    txHash: s.txHash,
    raw: s.raw,
    sequence: s.sequence === null ? null : BigInt(s.sequence),
    maxFee: BigInt(s.maxFee),
    expiresAt: s.expiresAt ? new Date(s.expiresAt) : null,
  };
}

/** Columns a transition may set besides status (a fixed list: never a caller's string in the SQL). */
export interface TransitionChanges {
  rejectCode?: string;
  rejectReason?: string;
  rejectDetail?: Record<string, unknown>;
  decidedBy?: string;
  ledgerTransactionId?: string;
  txHash?: string;
  confirmations?: number;
  networkFee?: bigint;
  broadcastAt?: Date;
  lastError?: string | null;
}

const CHANGE_COLUMNS: Record<keyof TransitionChanges, string> = {
  rejectCode: 'reject_code',
  rejectReason: 'reject_reason',
  rejectDetail: 'reject_detail',
  decidedBy: 'decided_by',
  ledgerTransactionId: 'ledger_transaction_id',
  txHash: 'tx_hash',
  confirmations: 'confirmations',
  networkFee: 'network_fee',
  broadcastAt: 'broadcast_at',
  lastError: 'last_error',
};

function setClause(changes: TransitionChanges): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(changes) as [keyof TransitionChanges, unknown][]) {
    if (value === undefined) continue;
    if (key === 'rejectDetail') {
      parts.push(`${CHANGE_COLUMNS[key]} = ?::jsonb`);
      params.push(JSON.stringify(value));
      continue;
    }
    parts.push(`${CHANGE_COLUMNS[key]} = ?`);
    params.push(typeof value === 'bigint' ? value.toString() : value);
  }
  return { sql: parts.map((p) => `, ${p}`).join(''), params };
}

export interface MovedWithdrawal {
  withdrawal: WithdrawalRecord;
  from: WithdrawalStatus;
}

/**
 * Compare-and-set: moves the withdrawal from one of `from` to `to` (with `changes`), writes the audit row and
 * `wallet.withdrawal.changed` (plus `completed` / `failed`, the ledger's cue to capture or release the hold) in
 * the caller's transaction. Null when the row is not in one of `from` (someone else moved it first): nothing
 * is written. The database trigger refuses a pair outside the transition table whatever `from` says.
 */
export async function transition(
  tx: EntityManager,
  id: string,
  from: readonly WithdrawalStatus[],
  to: WithdrawalStatus,
  actor: string,
  changes: TransitionChanges = {},
  detail: Record<string, unknown> = {},
): Promise<MovedWithdrawal | null> {
  const allowed = from.filter((f) => canMove(f, to));
  if (allowed.length === 0) throw new Error(`no transition from ${from.join('|')} to ${to}`);
  const set = setClause(changes);
  const rows = await tx.execute<(WithdrawalRow & { from_status: WithdrawalStatus })[]>(
    `with old as (select id, status from wallet.withdrawal where id = ? and status in (${allowed.map(() => '?').join(', ')}) for update)
     update wallet.withdrawal w set status = ?, updated_at = now()${set.sql}
     from old where w.id = old.id
     returning ${withdrawalColumns('w')}, old.status as from_status`,
    [id, ...allowed, to, ...set.params],
  );
  const row = rows[0];
  if (!row) return null;
  const withdrawal = recordOf(row);
  await tx.execute(
    'insert into wallet.withdrawal_audit (withdrawal_id, from_status, to_status, actor, detail) values (?, ?, ?, ?, ?::jsonb)',
    [id, row.from_status, to, actor, JSON.stringify(detail)],
  );
  publishChange(tx, withdrawal, row.from_status);
  if (to === 'COMPLETED' && !withdrawal.internalUserId) {
    recordEvent<WithdrawalCompletedPayload>(tx, WithdrawalEvents.completed, 'wallet', {
      withdrawalId: withdrawal.id,
      network: withdrawal.network,
      asset: withdrawal.asset,
      amount: withdrawal.amount.toString(),
      fee: withdrawal.fee.toString(),
      networkFee: {
        asset: withdrawal.feeQuote?.feeAsset ?? withdrawal.asset,
        amount: (withdrawal.networkFee ?? 0n).toString(),
      },
      txHash: withdrawal.txHash,
    });
  }
  // The ledger holds amount + fee from hold.placed on: a refusal after that (staff, the user, the chain) releases it.
  if (
    (to === 'FAILED' || to === 'CANCELLED' || (to === 'REJECTED' && row.from_status !== 'REQUESTED')) &&
    !withdrawal.internalUserId
  ) {
    recordEvent<WithdrawalFailedPayload>(tx, WithdrawalEvents.failed, 'wallet', {
      withdrawalId: withdrawal.id,
      reason: to,
    });
  }
  return { withdrawal, from: row.from_status };
}

/** `wallet.withdrawal.changed`: keys and the new status, for live updates and other services. */
export function publishChange(tx: EntityManager, w: WithdrawalRecord, from: WithdrawalStatus | null): void {
  recordEvent<WithdrawalChangedPayload>(tx, WithdrawalEvents.changed, 'wallet', {
    withdrawalId: w.id,
    userId: w.userId,
    network: w.network,
    asset: w.asset,
    from,
    status: w.status,
    amount: w.amount.toString(),
  });
}

export async function withdrawalById(em: EntityManager, id: string, lock = false): Promise<WithdrawalRecord | null> {
  const rows = await em.execute<WithdrawalRow[]>(
    `select ${WITHDRAWAL_COLUMNS} from wallet.withdrawal where id = ?${lock ? ' for update' : ''}`,
    [id],
  );
  return rows[0] ? recordOf(rows[0]) : null;
}

export async function withdrawalsByIds(em: EntityManager, ids: readonly string[]): Promise<WithdrawalRecord[]> {
  if (ids.length === 0) return [];
  const rows = await em.execute<WithdrawalRow[]>(
    `select ${WITHDRAWAL_COLUMNS} from wallet.withdrawal where id in (${ids.map(() => '?').join(', ')})`,
    [...ids],
  );
  return rows.map(recordOf);
}
