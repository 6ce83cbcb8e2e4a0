import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { validateAddress } from '../../../chains/address.js';
import type { Network } from '../../../chains/network.js';
import { hasClaim, hasRole, isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import {
  badInput,
  conflict,
  DomainError,
  ErrorCode,
  forbidden,
  notFound,
  unauthenticated,
} from '../../../platform/errors.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../../platform/graphql/keyset-cursor.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { formatAmount, parseAmount, parsePositiveAmount } from '../../../platform/money/amount.js';
import { assetInfo, type AssetInfo } from '../../../platform/money/assets.js';
import type { PriceBook } from '../../../platform/money/price-book.js';
import type { ChainPayout, FeeQuote } from '../payout/payout.port.js';
import { WithdrawalEvents, type WithdrawalRequestedPayload } from './withdrawal.events.js';
import {
  publishChange,
  recordOf,
  storeQuote,
  transition,
  WITHDRAWAL_COLUMNS,
  withdrawalById,
  withdrawalsByIds,
  type WithdrawalRecord,
  type WithdrawalRow,
  type WithdrawalStatus,
} from './withdrawal.store.js';

const SOURCE = 'wallet';
const MAX_PAGE = 100;
const MAX_KEY = 100;
const MAX_MEMO = 120;
const MAX_LABEL = 60;
const MAX_REASON = 500;
const WITHDRAWAL_ID = /^wdr_[0-9a-z]{1,40}$/;
/** USD values are kept in cents. */
const USD_DECIMALS = 2;
const APPROVE_CLAIM = 'withdrawals:approve';

export interface WithdrawalSettings {
  addressCoolOffSeconds: number;
  approvalThresholdUsd: number;
  holdWaitMs: number;
}

export interface WithdrawalInput {
  asset: string;
  toAddress: string;
  /** In the asset's unit (decimal text). */
  amount: string;
  memo?: string | null;
  idempotencyKey: string;
}

export interface WithdrawalQuote {
  asset: AssetInfo;
  network: Network;
  toAddress: string;
  amount: bigint;
  /** What the user pays for the network, in the asset; 0 internally. */
  fee: bigint;
  /** The chain's quote in its native asset; null for an internal transfer. */
  networkFee: FeeQuote | null;
  minimum: bigint;
  internal: boolean;
  /** USD cents, null without a fresh price. */
  usdValue: bigint | null;
  needsApproval: boolean;
}

export interface WithdrawalAddressRecord {
  id: string;
  network: Network;
  address: string;
  label: string | null;
  usableAt: Date;
  createdAt: Date;
  /** Confirmed by an SMS code: usable at once. */
  confirmedAt: Date | null;
  /** A code was sent and is still open (not used, expired or locked). */
  pendingCode: boolean;
}

/** The columns of an address row with its confirmation state (`a` = wallet.withdrawal_address). */
export const ADDRESS_COLUMNS = `id, network, address, label, usable_at, created_at, confirmed_at,
  exists (select 1 from wallet.address_code c where c.address_id = a.id and c.consumed_at is null
    and c.locked_at is null and c.expires_at > now()) as pending_code`;

export interface WithdrawalThreshold {
  asset: string;
  usdCents: bigint;
  changedBy: string | null;
  changedAt: Date | null;
}

export interface WithdrawalFilter {
  status?: WithdrawalStatus | null;
  asset?: string | null;
}

/**
 * Crypto withdrawals, from the user's request to the staff decision (the broadcaster worker takes APPROVED ones
 * on, through `WithdrawalProcessor`). A request is validated here (asset, address for the network, memo, minimum,
 * freeze, cool-off), quoted (`ChainPayout.quoteFee`, a token's fee converted to the token at market prices),
 * valued in USD against the asset's approval threshold, and recorded REQUESTED with `wallet.withdrawal.requested`
 * in one transaction: the ledger holds amount + fee (checking funds and the level limits) and answers with
 * `ledger.hold.placed` / `ledger.hold.rejected`, which move it on (withdrawal.consumer.ts). `request` waits up to
 * `holdWaitMs` for that answer, so the usual refusals (INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, ACCOUNT_FROZEN) reach
 * the caller as errors; past the wait it returns the REQUESTED withdrawal, which resolves later.
 */
export class WithdrawalService {
  constructor(
    private readonly payouts: ReadonlyMap<Network, ChainPayout>,
    private readonly prices: PriceBook,
    private readonly settings: WithdrawalSettings,
    private readonly log: Logger,
  ) {}

  // ------------------------------------------------------------------ the user's side

  async quote(
    em: EntityManager,
    viewer: Viewer,
    input: Omit<WithdrawalInput, 'idempotencyKey'>,
  ): Promise<WithdrawalQuote> {
    const userId = requireUser(viewer);
    const { info, network, toAddress, amount, memo } = parseInput(input);
    return this.quoteFor(em, userId, info, network, toAddress, amount, memo);
  }

  async request(em: EntityManager, viewer: Viewer, input: WithdrawalInput): Promise<WithdrawalRecord> {
    const userId = requireUser(viewer);
    const key = input.idempotencyKey?.trim() ?? '';
    if (key.length === 0 || key.length > MAX_KEY)
      throw badInput(`idempotencyKey must be 1..${MAX_KEY} characters`, { field: 'idempotencyKey' });
    const parsed = parseInput(input);
    const hash = requestHash(parsed.info.symbol, parsed.toAddress, parsed.amount, parsed.memo);
    const replay = await this.byKey(em, userId, key);
    if (replay) return this.answer(em, replay, hash);

    const { info, network, toAddress, amount, memo } = parsed;
    await this.assertNotFrozen(em, userId);
    const quote = await this.quoteFor(em, userId, info, network, toAddress, amount, memo);
    if (!quote.internal) await this.assertAddressUsable(em, userId, network, toAddress);
    const recipient = quote.internal ? await this.ownerOf(em, network, toAddress) : null;
    const id = newId('wdr');
    let created: WithdrawalRecord | null = null;
    try {
      created = await em.fork().transactional(async (tx) => {
        const [row] = await tx.execute<WithdrawalRow[]>(
          `insert into wallet.withdrawal (id, user_id, network, asset, to_address, memo, amount, fee, fee_quote, usd_value,
             needs_approval, internal_user_id, idempotency_key, request_hash)
           values (?, ?, ?, ?, ?, ?, ?::numeric, ?::numeric, ?::jsonb, ?::numeric, ?, ?, ?, ?)
           returning ${WITHDRAWAL_COLUMNS}`,
          [
            id,
            userId,
            network,
            info.symbol,
            toAddress,
            memo,
            amount.toString(),
            quote.fee.toString(),
            JSON.stringify(quote.networkFee ? storeQuote(quote.networkFee) : {}),
            quote.usdValue?.toString() ?? null,
            quote.needsApproval,
            recipient,
            key,
            hash,
          ],
        );
        const record = recordOf(row!);
        await tx.execute(
          `insert into wallet.withdrawal_audit (withdrawal_id, from_status, to_status, actor, detail) values (?, null, 'REQUESTED', ?, ?::jsonb)`,
          [id, userId, JSON.stringify({ usdValue: quote.usdValue?.toString() ?? null, internal: quote.internal })],
        );
        recordEvent<WithdrawalRequestedPayload>(tx, WithdrawalEvents.requested, SOURCE, {
          withdrawalId: id,
          userId,
          network,
          asset: info.symbol,
          amount: amount.toString(),
          fee: quote.fee.toString(),
          expiresAt: null,
          recipientUserId: recipient,
        });
        publishChange(tx, record, null);
        return record;
      });
    } catch (err) {
      // The same key raced in from another request: answer with that one.
      if ((err as { code?: string }).code !== '23505') throw err;
      const raced = await this.byKey(em, userId, key);
      if (!raced) throw err;
      return this.answer(em, raced, hash);
    }
    this.log.info(
      { withdrawalId: id, userId, asset: info.symbol, internal: quote.internal, needsApproval: quote.needsApproval },
      'withdrawal requested',
    );
    return this.answer(em, created, hash);
  }

  /** The user's new destination: usable after the cooling-off period (at once when it is 0). */
  async addAddress(
    em: EntityManager,
    viewer: Viewer,
    input: { network: Network; address: string; label?: string | null },
  ): Promise<WithdrawalAddressRecord> {
    const userId = requireUser(viewer);
    const address = normalizeAddress(input.network, input.address);
    const label = input.label?.trim() || null;
    if (label && label.length > MAX_LABEL)
      throw badInput(`label must be at most ${MAX_LABEL} characters`, { field: 'label' });
    if (await this.ownerOf(em, input.network, address))
      throw badInput('This is a deposit address of the platform: send to it without adding it (an internal transfer)', {
        field: 'address',
      });
    return this.registerAddress(em, userId, input.network, address, label);
  }

  async addresses(em: EntityManager, viewer: Viewer, userId: string): Promise<WithdrawalAddressRecord[]> {
    assertCanSee(viewer, userId);
    const rows = await em.execute<AddressRow[]>(
      `select ${ADDRESS_COLUMNS} from wallet.withdrawal_address a where user_id = ? order by created_at desc, id desc limit 200`,
      [userId],
    );
    return rows.map(addressOf);
  }

  /** The owner cancels before a staff member approved. */
  async cancel(em: EntityManager, viewer: Viewer, id: string): Promise<WithdrawalRecord> {
    const userId = requireUser(viewer);
    return em.fork().transactional(async (tx) => {
      const w = await withdrawalById(tx, id, true);
      if (!w || w.userId !== userId) throw notFound('Withdrawal', id);
      if (w.status !== 'PENDING_APPROVAL')
        throw conflict(`A ${w.status} withdrawal cannot be cancelled (only while it waits for approval)`, {
          status: w.status,
        });
      const moved = await transition(tx, id, ['PENDING_APPROVAL'], 'CANCELLED', userId);
      return moved!.withdrawal;
    });
  }

  // ------------------------------------------------------------------ staff

  /** Four eyes: a holder of `withdrawals:approve` who is neither the user nor whoever last set the asset's threshold. */
  async approve(em: EntityManager, viewer: Viewer, id: string): Promise<WithdrawalRecord> {
    const staffId = requireApprover(viewer);
    return em.fork().transactional(async (tx) => {
      const w = await withdrawalById(tx, id, true);
      if (!w) throw notFound('Withdrawal', id);
      if (w.status !== 'PENDING_APPROVAL')
        throw conflict(`The withdrawal is ${w.status}, not waiting for approval`, { status: w.status });
      if (w.userId === staffId)
        throw fourEyes('This withdrawal is from your own account: another approver must decide');
      const threshold = await this.threshold(tx, w.asset);
      if (threshold.changedBy === staffId)
        throw fourEyes(`You set the ${w.asset} approval threshold: another approver must decide`);
      const moved = await transition(tx, id, ['PENDING_APPROVAL'], 'APPROVED', staffId, { decidedBy: staffId });
      this.log.info({ withdrawalId: id, approvedBy: staffId }, 'withdrawal approved');
      return moved!.withdrawal;
    });
  }

  async reject(em: EntityManager, viewer: Viewer, id: string, reason: string): Promise<WithdrawalRecord> {
    const staffId = requireApprover(viewer);
    const text = reason.trim();
    if (text.length === 0 || text.length > MAX_REASON)
      throw badInput(`reason must be 1..${MAX_REASON} characters`, { field: 'reason' });
    return em.fork().transactional(async (tx) => {
      const w = await withdrawalById(tx, id, true);
      if (!w) throw notFound('Withdrawal', id);
      if (w.status !== 'PENDING_APPROVAL')
        throw conflict(`The withdrawal is ${w.status}, not waiting for approval`, { status: w.status });
      if (w.userId === staffId)
        throw fourEyes('This withdrawal is from your own account: another approver must decide');
      const moved = await transition(
        tx,
        id,
        ['PENDING_APPROVAL'],
        'REJECTED',
        staffId,
        { decidedBy: staffId, rejectCode: 'REJECTED_BY_STAFF', rejectReason: text },
        { reason: text },
      );
      return moved!.withdrawal;
    });
  }

  /** FINANCE or SUPERADMIN sets an asset's approval threshold (USD); the setter may not approve that asset's withdrawals. */
  async setThreshold(em: EntityManager, viewer: Viewer, asset: string, usd: string): Promise<WithdrawalThreshold> {
    if (!viewer.userId) throw unauthenticated();
    if (!hasRole(viewer, 'FINANCE', 'SUPERADMIN'))
      throw forbidden('Setting a withdrawal approval threshold takes the FINANCE or SUPERADMIN role');
    const info = cryptoAsset(asset);
    const cents = parseAmount(usd, USD_DECIMALS, 'usd');
    if (cents < 0n) throw badInput('usd must not be negative', { field: 'usd' });
    const [row] = await em.execute<ThresholdRow[]>(
      `insert into wallet.withdrawal_threshold (asset, usd_cents, changed_by) values (?, ?::numeric, ?)
       on conflict (asset) do update set usd_cents = excluded.usd_cents, changed_by = excluded.changed_by, changed_at = now()
       returning asset, usd_cents::text as usd_cents, changed_by, changed_at`,
      [info.symbol, cents.toString(), viewer.userId],
    );
    this.log.warn(
      { asset: info.symbol, usdCents: cents.toString(), changedBy: viewer.userId },
      'withdrawal threshold set',
    );
    return thresholdOf(row!);
  }

  async thresholds(em: EntityManager, viewer: Viewer): Promise<WithdrawalThreshold[]> {
    assertStaff(viewer);
    const out: WithdrawalThreshold[] = [];
    for (const symbol of cryptoAssets()) out.push(await this.threshold(em, symbol));
    return out;
  }

  // ------------------------------------------------------------------ reading

  /** Visible withdrawals by id (the owner's own, staff all), for the entity reference and loaders. */
  async visibleByIds(em: EntityManager, viewer: Viewer, ids: readonly string[]): Promise<WithdrawalRecord[]> {
    if (!viewer.userId) throw unauthenticated();
    const rows = await withdrawalsByIds(
      em,
      ids.filter((id) => WITHDRAWAL_ID.test(id)),
    );
    return isStaff(viewer) ? rows : rows.filter((w) => w.userId === viewer.userId);
  }

  /** A user's withdrawals (the user or staff), newest first; or, with userId null, staff's queue of everyone's. */
  async page(
    em: EntityManager,
    viewer: Viewer,
    userId: string | null,
    first: number,
    after: string | null | undefined,
    filter: WithdrawalFilter = {},
  ): Promise<{ edges: { cursor: string; node: WithdrawalRecord }[]; hasNextPage: boolean }> {
    if (userId === null) assertStaff(viewer);
    else assertCanSee(viewer, userId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw badInput(`first must be 1..${MAX_PAGE}`, { field: 'first' });
    const cursor = after == null ? null : decodeKeysetCursor(after, WITHDRAWAL_ID);
    const where: string[] = [];
    const params: unknown[] = [];
    if (userId !== null) {
      where.push('user_id = ?');
      params.push(userId);
    }
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.asset) {
      where.push('asset = ?');
      params.push(filter.asset);
    }
    if (cursor) {
      where.push('(created_at, id) < (?::timestamptz, ?)');
      params.push(cursor.time, cursor.id);
    }
    const rows = await em.execute<(WithdrawalRow & { created_key: string })[]>(
      `select ${WITHDRAWAL_COLUMNS}, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key
       from wallet.withdrawal ${where.length ? `where ${where.join(' and ')}` : ''}
       order by created_at desc, id desc limit ?`,
      [...params, first + 1],
    );
    const edges = rows
      .slice(0, first)
      .map((r) => ({ cursor: encodeKeysetCursor(r.created_key, r.id), node: recordOf(r) }));
    return { edges, hasNextPage: rows.length > first };
  }

  // ------------------------------------------------------------------ internals

  private async quoteFor(
    em: EntityManager,
    userId: string,
    info: AssetInfo,
    network: Network,
    toAddress: string,
    amount: bigint,
    memo: string | null,
  ): Promise<WithdrawalQuote> {
    const minimum = await this.minimum(em, info);
    if (amount < minimum)
      throw new DomainError(
        ErrorCode.WITHDRAWAL_BELOW_MINIMUM,
        `The minimum ${info.symbol} withdrawal is ${formatAmount(minimum, info.decimals)}`,
        { field: 'amount', minimum: formatAmount(minimum, info.decimals) },
      );
    const owner = await this.ownerOf(em, network, toAddress);
    if (owner === userId)
      throw badInput('This is your own deposit address: nothing to withdraw', { field: 'toAddress' });
    const usdValue = this.usd(info.symbol, amount);
    if (owner) {
      return {
        asset: info,
        network,
        toAddress,
        amount,
        fee: 0n,
        networkFee: null,
        minimum,
        internal: true,
        usdValue,
        needsApproval: false,
      };
    }
    const payout = this.payouts.get(network);
    if (!payout)
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, `Withdrawals on ${network} are not available right now`, {
        network,
        retryable: true,
      });
    let networkFee: FeeQuote;
    try {
      networkFee = await payout.quoteFee({
        network,
        asset: info.symbol,
        from: { kind: 'hot' },
        to: toAddress,
        amount,
        memo,
        reference: `quote:${userId}`,
      });
    } catch (err) {
      // The node cannot be reached or cannot estimate the transfer: nothing is recorded, the user may try again.
      this.log.warn({ err, network, asset: info.symbol }, 'withdrawal fee quote failed');
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, `The ${network} network fee cannot be quoted right now`, {
        network,
        retryable: true,
      });
    }
    const fee = this.feeInAsset(info, networkFee);
    const threshold = await this.threshold(em, info.symbol);
    const needsApproval = usdValue === null || usdValue > threshold.usdCents;
    return {
      asset: info,
      network,
      toAddress,
      amount,
      fee,
      networkFee,
      minimum,
      internal: false,
      usdValue,
      needsApproval,
    };
  }

  /**
   * The user pays the chain's expected fee: as is for the native coin; for a token, its native value converted
   * to the token at the latest fresh prices (rounded up). PRICE_UNAVAILABLE without a fresh price.
   */
  private feeInAsset(info: AssetInfo, quote: FeeQuote): bigint {
    if (quote.feeAsset === info.symbol) return quote.expectedFee;
    if (quote.expectedFee === 0n) return 0n;
    // fee's value in USD with the token's decimals, then divided by the token's own USD price.
    const feeUsd = this.prices.value(quote.feeAsset, quote.expectedFee, 'USD', info.decimals);
    const tokenUsd = this.prices.value(info.symbol, 10n ** BigInt(info.decimals), 'USD', info.decimals);
    if (tokenUsd <= 0n)
      throw new DomainError(ErrorCode.PRICE_UNAVAILABLE, `No usable ${info.symbol} price`, { retryable: true });
    return (feeUsd * 10n ** BigInt(info.decimals) + tokenUsd - 1n) / tokenUsd;
  }

  /** USD cents, or null without a fresh price (the withdrawal then needs approval: never waved through unvalued). */
  private usd(asset: string, amount: bigint): bigint | null {
    try {
      return this.prices.value(asset, amount, 'USD', USD_DECIMALS);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.PRICE_UNAVAILABLE) return null;
      throw err;
    }
  }

  private async threshold(em: EntityManager, asset: string): Promise<WithdrawalThreshold> {
    const [row] = await em.execute<ThresholdRow[]>(
      'select asset, usd_cents::text as usd_cents, changed_by, changed_at from wallet.withdrawal_threshold where asset = ?',
      [asset],
    );
    if (row) return thresholdOf(row);
    return { asset, usdCents: BigInt(this.settings.approvalThresholdUsd) * 100n, changedBy: null, changedAt: null };
  }

  private async minimum(em: EntityManager, info: AssetInfo): Promise<bigint> {
    const [row] = await em.execute<{ min_deposit: string }[]>(
      'select min_deposit::text as min_deposit from wallet.asset_minimum where symbol = ?',
      [info.symbol],
    );
    return row ? BigInt(row.min_deposit) : parseAmount(info.minDeposit, info.decimals, 'minDeposit');
  }

  /** The user whose deposit address this is, or null. */
  private async ownerOf(em: EntityManager, network: Network, address: string): Promise<string | null> {
    const [row] = await em.execute<{ user_id: string }[]>(
      'select user_id from wallet.wallet where network = ? and address = ? limit 1',
      [network, address],
    );
    return row?.user_id ?? null;
  }

  private async assertNotFrozen(em: EntityManager, userId: string): Promise<void> {
    const rows = await em.execute('select 1 from wallet.withdrawal_freeze where user_id = ? limit 1', [userId]);
    if (rows.length)
      throw new DomainError(
        ErrorCode.ACCOUNT_FROZEN,
        'Withdrawals are frozen on your account (a deposit was reversed by a chain reorganization); contact support',
        { reason: 'WITHDRAWAL_FREEZE' },
      );
  }

  /**
   * A destination the user has not used or added before becomes usable after the cooling-off period: the first
   * attempt registers it (committed even though the request is refused) and says when.
   */
  private async assertAddressUsable(
    em: EntityManager,
    userId: string,
    network: Network,
    address: string,
  ): Promise<void> {
    const known = await this.registerAddress(em, userId, network, address, null);
    if (known.usableAt.getTime() > Date.now())
      throw new DomainError(
        ErrorCode.ADDRESS_COOLING_OFF,
        `A new withdrawal address is usable from ${known.usableAt.toISOString()} (cooling-off period)`,
        { field: 'toAddress', usableAt: known.usableAt.toISOString() },
      );
  }

  private async registerAddress(
    em: EntityManager,
    userId: string,
    network: Network,
    address: string,
    label: string | null,
  ): Promise<WithdrawalAddressRecord> {
    const [row] = await em.execute<AddressRow[]>(
      `insert into wallet.withdrawal_address as a (id, user_id, network, address, label, usable_at)
       values (?, ?, ?, ?, ?, now() + make_interval(secs => ?))
       on conflict (user_id, network, address) do update set label = coalesce(excluded.label, a.label)
       returning ${ADDRESS_COLUMNS}`,
      [newId('wad'), userId, network, address, label, this.settings.addressCoolOffSeconds],
    );
    return addressOf(row!);
  }

  private async byKey(em: EntityManager, userId: string, key: string): Promise<WithdrawalRecord | null> {
    const [row] = await em.execute<WithdrawalRow[]>(
      `select ${WITHDRAWAL_COLUMNS} from wallet.withdrawal where user_id = ? and idempotency_key = ?`,
      [userId, key],
    );
    return row ? recordOf(row) : null;
  }

  /**
   * The answer to a request (first or replayed): CONFLICT for the same key with another request; otherwise waits
   * (bounded) while the ledger decides, then the refusal as an error or the withdrawal as it stands.
   */
  private async answer(em: EntityManager, w: WithdrawalRecord, hash: string): Promise<WithdrawalRecord> {
    if (w.requestHash !== hash)
      throw conflict('This idempotencyKey was already used for a different withdrawal', { field: 'idempotencyKey' });
    let current = w;
    const deadline = Date.now() + this.settings.holdWaitMs;
    let pause = 20;
    while (current.status === 'REQUESTED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(1, deadline - Date.now()))));
      pause = Math.min(pause * 2, 200);
      current = (await withdrawalById(em.fork(), w.id)) ?? current;
    }
    if (current.status === 'REJECTED' && current.rejectCode && current.rejectCode !== 'REJECTED_BY_STAFF')
      throw new DomainError(current.rejectCode, current.rejectReason ?? 'The withdrawal was refused', {
        withdrawalId: current.id,
        ...current.rejectDetail,
      });
    return current;
  }
}

export interface AddressRow {
  id: string;
  network: Network;
  address: string;
  label: string | null;
  usable_at: Date | string;
  created_at: Date | string;
  confirmed_at: Date | string | null;
  pending_code: boolean;
}

export const addressOf = (r: AddressRow): WithdrawalAddressRecord => ({
  id: r.id,
  network: r.network,
  address: r.address,
  label: r.label,
  usableAt: new Date(r.usable_at),
  createdAt: new Date(r.created_at),
  confirmedAt: r.confirmed_at ? new Date(r.confirmed_at) : null,
  pendingCode: r.pending_code,
});

interface ThresholdRow {
  asset: string;
  usd_cents: string;
  changed_by: string;
  changed_at: Date | string;
}

const thresholdOf = (r: ThresholdRow): WithdrawalThreshold => ({
  asset: r.asset,
  usdCents: BigInt(r.usd_cents),
  changedBy: r.changed_by,
  changedAt: new Date(r.changed_at),
});

function requestHash(asset: string, toAddress: string, amount: bigint, memo: string | null): string {
  return createHash('sha256')
    .update(JSON.stringify([asset, toAddress, amount.toString(), memo]))
    .digest('hex');
}

function cryptoAssets(): string[] {
  return (['TON', 'USDT_TON', 'TRX', 'USDT_TRON', 'ETH', 'USDT_ETH', 'BNB', 'USDT_BSC'] as const).filter(
    (s) => assetInfo(s)?.network,
  );
}

function cryptoAsset(symbol: string): AssetInfo & { network: Network } {
  const info = assetInfo(symbol);
  if (!info || !info.network)
    throw badInput(`${symbol} is not a crypto asset that can be withdrawn`, { field: 'asset' });
  return info as AssetInfo & { network: Network };
}

function normalizeAddress(network: Network, address: string): string {
  const check = validateAddress(network, address);
  if (!check.valid || !check.normalized)
    throw badInput(`Not a valid ${network} address: ${check.reason ?? 'unrecognised'}`, {
      field: 'toAddress',
      network,
      reason: check.reason,
    });
  return check.normalized;
}

function parseInput(input: Omit<WithdrawalInput, 'idempotencyKey'>) {
  const info = cryptoAsset(input.asset);
  const network = info.network;
  const toAddress = normalizeAddress(network, input.toAddress);
  const amount = parsePositiveAmount(input.amount, info.decimals, 'amount');
  const memo = input.memo?.trim() || null;
  if (memo && network !== 'TON') throw badInput(`A memo is only sent on TON, not on ${network}`, { field: 'memo' });
  if (memo && memo.length > MAX_MEMO) throw badInput(`memo must be at most ${MAX_MEMO} characters`, { field: 'memo' });
  return { info, network, toAddress, amount, memo };
}

export function requireUser(viewer: Viewer): string {
  if (!viewer.userId) throw unauthenticated();
  return viewer.userId;
}

function requireApprover(viewer: Viewer): string {
  const id = requireUser(viewer);
  if (!isStaff(viewer) || !hasClaim(viewer, APPROVE_CLAIM))
    throw forbidden(`Deciding withdrawals takes the ${APPROVE_CLAIM} claim`);
  return id;
}

function assertStaff(viewer: Viewer): void {
  if (!viewer.userId) throw unauthenticated();
  if (!isStaff(viewer)) throw forbidden('Only staff see every withdrawal');
}

function assertCanSee(viewer: Viewer, userId: string): void {
  if (!viewer.userId) throw unauthenticated();
  if (viewer.userId !== userId && !isStaff(viewer)) throw forbidden("Only the user and staff see a user's withdrawals");
}

function fourEyes(message: string): DomainError {
  return new DomainError(ErrorCode.FORBIDDEN, message, { reason: 'FOUR_EYES' });
}
