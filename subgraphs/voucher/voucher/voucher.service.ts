import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MikroORM } from '../../../platform/db/orm.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import type { VoucherSettings } from '../../../platform/config/config.js';
import type { FieldSealer } from '../../../platform/crypto/sealed-field.js';
import {
  badInput,
  conflict,
  DomainError,
  ErrorCode,
  forbidden,
  notFound,
  unauthenticated,
} from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { ProviderError } from '../../../providers/http/index.js';
import {
  VoucherProviderRefusedError,
  type CreatedVoucher,
  type Redemption,
  type Validation,
  type VoucherMoney,
  type VoucherProvider,
  type VoucherProviders,
  type VoucherType,
} from '../../../providers/vouchers/index.js';
import { convert, FACE_CURRENCY, rateCurrencyOf } from '../rate/pricing.js';
import type { RateService } from '../rate/rate.service.js';
import { Voucher, VoucherReveal, type VoucherStatus } from './voucher.entity.js';
import { VoucherEvents } from './voucher.events.js';

export interface BuyInput {
  type: VoucherType;
  amount: bigint;
  payWith: string;
  idempotencyKey: string;
}

export interface RedeemInput {
  type: VoucherType;
  code: string;
  receiveAs: string | null;
  idempotencyKey: string;
}

const KEY = /^[\w:.-]{1,100}$/;
/** How long buyVoucher waits on a provider call the background resolver is making for the same purchase. */
const CALL_WAIT_MS = 30_000;
const OPEN_BUY: VoucherStatus[] = ['CREATING', 'UNKNOWN'];
const OPEN_REDEEM: VoucherStatus[] = ['REDEEMING', 'PENDING', 'UNKNOWN'];

/** Binds a sealed code to its row and column: moved elsewhere, it does not open. */
export const codeBinding = (voucherId: string) => `voucher.voucher/${voucherId}/code`;

const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/**
 * Buying and redeeming vouchers. Money moves only through the ledger's events (hold → capture/release, credit);
 * a provider call is recorded (the row in CREATING/REDEEMING, our id as its reference) before it is made, made once,
 * and a lost answer is resolved by the provider's lookup before the hold is released. The code is sealed at rest
 * and never logged.
 */
export class VoucherService {
  constructor(
    private readonly orm: MikroORM,
    private readonly providers: VoucherProviders,
    private readonly rates: RateService,
    private readonly sealer: FieldSealer,
    private readonly settings: VoucherSettings,
    private readonly log: Logger,
  ) {}

  private provider(type: VoucherType): VoucherProvider {
    const provider = this.providers[type];
    if (!provider)
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, `${type} vouchers are not offered now`, { type });
    return provider;
  }

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  private async byId(id: string): Promise<Voucher | null> {
    return this.em().findOne(Voucher, { id }, { refresh: true });
  }

  // ── buying ────────────────────────────────────────────────────────────────────────────────────────

  async buy(em: EntityManager, viewer: Viewer, input: BuyInput): Promise<Voucher> {
    const userId = requireUser(viewer);
    if (!KEY.test(input.idempotencyKey))
      throw badInput('idempotencyKey: 1-100 of [A-Za-z0-9_:.-]', { field: 'idempotencyKey' });
    if (input.amount <= 0n) throw badInput('amount must be positive', { field: 'amount' });
    const provider = this.provider(input.type);
    const requestHash = hashOf(['buy', input.type, input.amount.toString(), input.payWith]);
    const replay = await this.replay(em, userId, input.idempotencyKey, requestHash);
    if (replay) return this.settleBuy(replay.id);

    const face: VoucherMoney = { currency: FACE_CURRENCY[input.type], minor: input.amount };
    const rate = await this.rates.current(em, input.type, 'BUY', rateCurrencyOf(input.payWith));
    const price = convert(face, rate.price, input.payWith, 'up');
    await this.requireProviderBalance(provider, face);

    const voucher = em.create(Voucher, {
      userId,
      type: input.type,
      direction: 'BUY',
      status: 'HOLD_REQUESTED',
      faceCurrency: face.currency,
      faceAmount: face.minor.toString(),
      asset: input.payWith,
      assetAmount: price.toString(),
      rateId: rate.id,
      ratePrice: rate.price,
      idempotencyKey: input.idempotencyKey,
      requestHash,
      provider: provider.name,
    });
    try {
      await em.transactional(async (tx) => {
        tx.persist(voucher);
        recordEvent(tx, VoucherEvents.purchaseRequested, 'voucher', {
          purchaseId: voucher.id,
          userId,
          asset: input.payWith,
          amount: price.toString(),
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const again = await this.replay(this.em(), userId, input.idempotencyKey, requestHash);
        if (again) return this.settleBuy(again.id);
      }
      throw err;
    }
    this.log.info(
      { voucherId: voucher.id, userId, type: input.type, asset: input.payWith },
      'voucher purchase requested',
    );
    return this.settleBuy(voucher.id);
  }

  /**
   * Waits (at most VOUCHER_HOLD_WAIT_MS) for the ledger's answer to the hold; with the hold placed, buys from the
   * provider. A purchase still waiting comes back PENDING (the background loop finishes it).
   */
  private async settleBuy(id: string): Promise<Voucher> {
    const holdDeadline = Date.now() + this.settings.holdWaitMs;
    for (;;) {
      const row = await this.byId(id);
      if (!row) throw notFound('Voucher', id);
      if (row.status === 'HELD') {
        await this.processPurchase(id);
        continue;
      }
      if (row.status === 'FAILED' && row.reason === 'INSUFFICIENT_FUNDS')
        throw new DomainError(ErrorCode.INSUFFICIENT_FUNDS, `not enough ${row.asset} to pay for this voucher`, {
          voucherId: id,
          asset: row.asset,
          required: row.assetAmount,
        });
      const now = Date.now();
      // Waiting for the hold, or for a provider call another worker (the background resolver) is making.
      const waiting =
        (row.status === 'HOLD_REQUESTED' && now < holdDeadline) ||
        ((row.status === 'CREATING' || (row.status === 'UNKNOWN' && row.reason === 'LOOKUP_PENDING')) &&
          now < holdDeadline + CALL_WAIT_MS);
      if (!waiting) return row;
      await sleep(20);
    }
  }

  /** HELD → CREATING (recorded) → one provider call → COMPLETED | FAILED | UNKNOWN (then resolved by lookup). */
  async processPurchase(id: string): Promise<void> {
    const claimed = await this.transition(id, ['HELD'], 'CREATING');
    if (!claimed) return;
    const provider = this.provider(claimed.type);
    const face = faceOf(claimed);
    let created: CreatedVoucher;
    try {
      created = await provider.create(claimed.type, face);
    } catch (err) {
      if (err instanceof VoucherProviderRefusedError) {
        this.log.warn(
          { voucherId: id, reason: err.reason, providerCode: err.providerCode },
          'voucher purchase refused by the provider',
        );
        await this.failPurchase(claimed, err.reason, ['CREATING']);
        return;
      }
      this.log.warn({ voucherId: id, err: errorSummary(err) }, 'voucher purchase outcome unknown: resolving by lookup');
      await this.transition(id, ['CREATING'], 'UNKNOWN', 'LOOKUP_PENDING');
      await this.resolvePurchase(id);
      return;
    }
    // The code exists only in memory until this commits: retry the write before giving up (never lose a bought code).
    for (let attempt = 1; ; attempt++) {
      try {
        await this.completePurchase(claimed, created);
        return;
      } catch (err) {
        if (attempt >= 5) {
          this.log.error(
            { voucherId: id, providerReference: created.providerReference, err: errorSummary(err) },
            'ADMIN ALERT: a bought voucher could not be recorded: recover it at the provider by this reference',
          );
          throw err;
        }
        await sleep(100 * 2 ** attempt);
      }
    }
  }

  /** A purchase whose provider answer was lost: the provider's lookup decides; without an answer it stays UNKNOWN. */
  async resolvePurchase(id: string): Promise<void> {
    const row = await this.byId(id);
    if (!row || row.direction !== 'BUY' || !OPEN_BUY.includes(row.status)) return;
    const lookup = await this.provider(row.type).lookupCreation(row.type, {
      providerReference: row.providerReference,
      amount: faceOf(row),
      since: new Date(row.createdAt.getTime() - 1_000),
    });
    if (lookup.found === true) return this.completePurchase(row, lookup.voucher);
    if (lookup.found === false) return this.failPurchase(row, 'NOT_CREATED', OPEN_BUY);
    if (row.status === 'CREATING' || row.reason !== 'NEEDS_REVIEW') {
      await this.transition(id, OPEN_BUY, 'UNKNOWN', 'NEEDS_REVIEW');
      this.log.error(
        { voucherId: id, provider: row.provider, why: lookup.why },
        'ADMIN ALERT: voucher purchase outcome unknown after lookup: the hold stays until staff resolve it',
      );
    }
  }

  private async completePurchase(row: Voucher, created: CreatedVoucher): Promise<void> {
    if (created.amount.currency !== row.faceCurrency || created.amount.minor.toString() !== row.faceAmount)
      this.log.error(
        { voucherId: row.id, expected: row.faceAmount, got: created.amount.minor.toString() },
        'ADMIN ALERT: the provider created a voucher of another value',
      );
    const sealed = this.sealer.seal(codeBinding(row.id), created.code);
    const taken = await this.em()
      .getConnection()
      .execute<{ id: string }[]>(
        `select id from voucher.voucher where provider = ? and provider_reference = ? and direction = 'BUY' and id <> ?`,
        [row.provider, created.providerReference, row.id],
      );
    if (taken.length > 0) {
      await this.transition(row.id, OPEN_BUY, 'UNKNOWN', 'NEEDS_REVIEW');
      this.log.error(
        { voucherId: row.id, providerReference: created.providerReference, takenBy: taken[0]!.id },
        'ADMIN ALERT: the lookup found a voucher another purchase holds: staff must match this purchase',
      );
      return;
    }
    await this.em().transactional(async (tx) => {
      const rows = await tx.getConnection().execute<{ id: string }[]>(
        `update voucher.voucher set status = 'COMPLETED', code_sealed = ?, provider_reference = ?, reason = null,
           settled_at = now(), updated_at = now()
         where id = ? and status in ('CREATING', 'UNKNOWN') returning id`,
        [sealed, created.providerReference, row.id],
        'all',
        tx.getTransactionContext(),
      );
      if (rows.length === 0) return;
      recordEvent(tx, VoucherEvents.purchaseCompleted, 'voucher', {
        purchaseId: row.id,
        userId: row.userId,
        asset: row.asset,
        amount: row.assetAmount,
      });
    });
    this.log.info({ voucherId: row.id, providerReference: created.providerReference }, 'voucher bought');
  }

  private async failPurchase(row: Voucher, reason: string, from: VoucherStatus[]): Promise<void> {
    await this.em().transactional(async (tx) => {
      const rows = await tx.getConnection().execute<{ id: string }[]>(
        `update voucher.voucher set status = 'FAILED', reason = ?, settled_at = now(), updated_at = now()
         where id = ? and status in (${from.map(() => '?').join(', ')}) returning id`,
        [reason, row.id, ...from],
        'all',
        tx.getTransactionContext(),
      );
      if (rows.length > 0) recordEvent(tx, VoucherEvents.purchaseFailed, 'voucher', { purchaseId: row.id });
    });
    this.log.info({ voucherId: row.id, reason }, 'voucher purchase failed: hold released');
  }

  /** The ledger's answer to a purchase's hold (voucher-hold-outcomes consumer), in its inbox transaction. */
  async applyHoldOutcome(tx: EntityManager, purchaseId: string, placed: boolean, code: string | null): Promise<void> {
    await tx
      .getConnection()
      .execute(
        placed
          ? `update voucher.voucher set status = 'HELD', updated_at = now() where id = ? and status = 'HOLD_REQUESTED'`
          : `update voucher.voucher set status = 'FAILED', reason = ?, settled_at = now(), updated_at = now() where id = ? and status = 'HOLD_REQUESTED'`,
        placed ? [purchaseId] : [code ?? 'HOLD_REJECTED', purchaseId],
        'all',
        tx.getTransactionContext(),
      );
  }

  private async requireProviderBalance(provider: VoucherProvider, face: VoucherMoney): Promise<void> {
    let balances;
    try {
      balances = await provider.balances();
    } catch (err) {
      throw providerUnavailable(provider.name, err);
    }
    const balance = balances.find((b) => b.currency === face.currency);
    if (!balance || balance.available < face.minor) {
      this.log.error(
        { provider: provider.name, currency: face.currency, available: balance?.available.toString() ?? '0' },
        'ADMIN ALERT: voucher provider balance cannot cover a purchase',
      );
      throw new DomainError(
        ErrorCode.VOUCHER_PROVIDER_BALANCE_LOW,
        'this voucher cannot be bought right now (the platform is restocking); try a smaller amount or later',
        { provider: provider.name },
      );
    }
  }

  // ── revealing ─────────────────────────────────────────────────────────────────────────────────────

  /** The code of the viewer's own completed purchase, audited (one reveal row per call). */
  async reveal(
    em: EntityManager,
    viewer: Viewer,
    id: string,
    requestId: string,
  ): Promise<{ voucher: Voucher; code: string }> {
    const userId = requireUser(viewer);
    const voucher = await em.findOne(Voucher, { id });
    if (!voucher || voucher.userId !== userId) throw notFound('Voucher', id);
    if (voucher.direction !== 'BUY' || voucher.status !== 'COMPLETED' || !voucher.codeSealed)
      throw conflict('this voucher has no code to show', { reason: 'NO_CODE', status: voucher.status });
    const code = this.sealer.open(codeBinding(voucher.id), voucher.codeSealed);
    await em.persistAndFlush(em.create(VoucherReveal, { voucherId: voucher.id, viewerId: userId, requestId }));
    this.log.info({ voucherId: voucher.id, userId, requestId }, 'voucher code revealed');
    return { voucher, code };
  }

  // ── redeeming ─────────────────────────────────────────────────────────────────────────────────────

  async redeem(em: EntityManager, viewer: Viewer, input: RedeemInput): Promise<Voucher> {
    const userId = requireUser(viewer);
    if (!KEY.test(input.idempotencyKey))
      throw badInput('idempotencyKey: 1-100 of [A-Za-z0-9_:.-]', { field: 'idempotencyKey' });
    const code = input.code.trim();
    if (code.length < 4 || code.length > 200) throw badInput('not a voucher code', { field: 'code' });
    const provider = this.provider(input.type);
    const faceCurrency = FACE_CURRENCY[input.type];
    const asset = input.receiveAs ?? (faceCurrency === 'IRT' ? 'IRT' : 'USDT_TRON');
    const fingerprint = this.sealer.fingerprint(input.type, code);
    const requestHash = hashOf(['redeem', input.type, fingerprint, asset]);
    const replay = await this.replay(em, userId, input.idempotencyKey, requestHash);
    if (replay) return outcomeOrError(replay);

    const rate = await this.rates.current(em, input.type, 'SELL', rateCurrencyOf(asset));
    const voucher = em.create(Voucher, {
      userId,
      type: input.type,
      direction: 'REDEEM',
      status: 'REDEEMING',
      faceCurrency,
      faceAmount: null,
      asset,
      assetAmount: null,
      rateId: rate.id,
      ratePrice: rate.price,
      idempotencyKey: input.idempotencyKey,
      requestHash,
      provider: provider.name,
      codeFingerprint: fingerprint,
    });
    voucher.codeSealed = this.sealer.seal(codeBinding(voucher.id), code);
    try {
      await em.persistAndFlush(voucher);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const again = await this.replay(this.em(), userId, input.idempotencyKey, requestHash);
      if (again) return outcomeOrError(again);
      throw new DomainError(ErrorCode.VOUCHER_CODE_USED, 'this code was already redeemed, or is being redeemed', {
        reason: 'REDEEMED_HERE',
      });
    }
    let redemption: Redemption;
    try {
      redemption = await provider.redeem(input.type, code);
    } catch (err) {
      if (err instanceof VoucherProviderRefusedError) {
        await this.rejectRedemption(voucher.id, err.reason);
        throw providerUnavailable(provider.name, err);
      }
      this.log.warn({ voucherId: voucher.id, err: errorSummary(err) }, 'voucher redemption outcome unknown');
      await this.transition(voucher.id, ['REDEEMING'], 'UNKNOWN', 'LOOKUP_PENDING');
      return (await this.byId(voucher.id))!;
    }
    await this.applyRedemption(voucher.id, redemption);
    return outcomeOrError((await this.byId(voucher.id))!);
  }

  /** Applies a provider's answer about a redemption: credit once, keep polling, or refuse. */
  async applyRedemption(id: string, redemption: Redemption): Promise<void> {
    const row = await this.byId(id);
    if (!row || row.direction !== 'REDEEM' || !OPEN_REDEEM.includes(row.status)) return;
    if (redemption.state === 'REJECTED') return this.rejectRedemption(id, redemption.reason ?? 'INVALID_CODE');
    if (redemption.state === 'PENDING') {
      await this.em()
        .getConnection()
        .execute(
          `update voucher.voucher set status = 'PENDING', provider_reference = coalesce(?, provider_reference), updated_at = now()
         where id = ? and status in ('REDEEMING', 'UNKNOWN', 'PENDING')`,
          [redemption.providerReference, id],
        );
      return;
    }
    let amount = redemption.amount;
    if (!amount && redemption.providerReference) {
      const status = await this.provider(row.type).redemptionStatus(row.type, redemption.providerReference);
      amount = status.state === 'CONFIRMED' ? status.amount : null;
    }
    if (!amount || amount.currency !== row.faceCurrency) {
      await this.transition(id, OPEN_REDEEM, 'UNKNOWN', 'NEEDS_REVIEW');
      this.log.error(
        { voucherId: id },
        'ADMIN ALERT: a confirmed redemption without a readable amount: staff must credit it',
      );
      return;
    }
    const credit = convert(amount, row.ratePrice, row.asset, 'down');
    await this.em().transactional(async (tx) => {
      const rows = await tx.getConnection().execute<{ id: string }[]>(
        `update voucher.voucher set status = 'CONFIRMED', face_amount = ?, asset_amount = ?, provider_reference = coalesce(?, provider_reference),
           reason = ?, settled_at = now(), updated_at = now()
         where id = ? and status in ('REDEEMING', 'PENDING', 'UNKNOWN') returning id`,
        [
          amount.minor.toString(),
          credit > 0n ? credit.toString() : null,
          redemption.providerReference,
          credit > 0n ? null : 'BELOW_MINIMUM',
          id,
        ],
        'all',
        tx.getTransactionContext(),
      );
      if (rows.length > 0 && credit > 0n)
        recordEvent(tx, VoucherEvents.redemptionConfirmed, 'voucher', {
          redemptionId: id,
          userId: row.userId,
          asset: row.asset,
          amount: credit.toString(),
        });
    });
    this.log.info({ voucherId: id, asset: row.asset }, 'voucher redeemed: credit requested');
  }

  private async rejectRedemption(id: string, reason: string): Promise<void> {
    await this.em()
      .getConnection()
      .execute(
        `update voucher.voucher set status = 'REJECTED', reason = ?, settled_at = now(), updated_at = now()
       where id = ? and status in ('REDEEMING', 'PENDING', 'UNKNOWN')`,
        [reason, id],
      );
  }

  async validate(viewer: Viewer, type: VoucherType, code: string): Promise<Validation> {
    requireUser(viewer);
    const provider = this.provider(type);
    try {
      return await provider.validate(type, code.trim());
    } catch (err) {
      throw providerUnavailable(provider.name, err);
    }
  }

  // ── the background loop ───────────────────────────────────────────────────────────────────────────

  /**
   * One round: purchases whose hold was placed while nobody waited, purchases and redemptions in flight too long
   * (a crash mid-call) or with a lost answer, and PENDING redemptions. Returns true when there may be more.
   */
  async resolveOpen(limit = 50): Promise<boolean> {
    const stale = new Date(Date.now() - this.settings.inFlightStaleMs);
    const rows = await this.em()
      .getConnection()
      .execute<
        {
          id: string;
          status: VoucherStatus;
          direction: string;
          provider_reference: string | null;
          type: VoucherType;
          reason: string | null;
        }[]
      >(
        `select id, status, direction, provider_reference, type, reason from voucher.voucher
        where status in ('HELD', 'PENDING', 'UNKNOWN') or (status in ('CREATING', 'REDEEMING') and updated_at < ?)
        order by updated_at limit ?`,
        [stale, limit],
      );
    for (const row of rows) {
      try {
        if (row.direction === 'BUY') {
          if (row.status === 'HELD') await this.processPurchase(row.id);
          else if (row.status === 'CREATING') {
            await this.transition(row.id, ['CREATING'], 'UNKNOWN', 'LOOKUP_PENDING');
            await this.resolvePurchase(row.id);
          } else if (row.reason !== 'NEEDS_REVIEW') await this.resolvePurchase(row.id);
        } else if (row.provider_reference && row.reason !== 'NEEDS_REVIEW') {
          const status = await this.provider(row.type).redemptionStatus(row.type, row.provider_reference);
          await this.applyRedemption(row.id, status);
        } else if (row.status !== 'PENDING' && row.reason !== 'NEEDS_REVIEW') {
          await this.transition(row.id, ['REDEEMING', 'UNKNOWN'], 'UNKNOWN', 'NEEDS_REVIEW');
          this.log.error(
            { voucherId: row.id },
            'ADMIN ALERT: a redemption with a lost answer and no provider reference: staff must check the provider account',
          );
        }
      } catch (err) {
        this.log.warn({ voucherId: row.id, err: errorSummary(err) }, 'open voucher not resolved this round');
      }
    }
    return false;
  }

  // ── history ───────────────────────────────────────────────────────────────────────────────────────

  async page(
    em: EntityManager,
    filter: { userId: string | null; type: VoucherType | null; status: VoucherStatus[] | null; review?: boolean },
    first: number,
    after: { time: string; id: string } | null,
  ): Promise<{ rows: (Voucher & { cursorTime: string })[]; hasNextPage: boolean }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, ...values: unknown[]) => {
      where.push(condition);
      params.push(...values);
    };
    if (filter.userId) add('user_id = ?', filter.userId);
    if (filter.type) add('type = ?', filter.type);
    if (filter.status) add(`status in (${filter.status.map(() => '?').join(', ')})`, ...filter.status);
    // UNDER_REVIEW is UNKNOWN with reason NEEDS_REVIEW; an UNKNOWN still being looked up is PENDING.
    if (filter.review === true) add(`reason = 'NEEDS_REVIEW'`);
    if (filter.review === false) add(`not (status = 'UNKNOWN' and coalesce(reason, '') = 'NEEDS_REVIEW')`);
    if (after) add(`(created_at, id) < (?::timestamptz, ?)`, after.time, after.id);
    const ids = await em.getConnection().execute<{ id: string; t: string }[]>(
      `select id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as t from voucher.voucher
        ${where.length ? `where ${where.join(' and ')}` : ''} order by created_at desc, id desc limit ?`,
      [...params, first + 1],
    );
    const slice = ids.slice(0, first);
    const found = slice.length ? await em.find(Voucher, { id: { $in: slice.map((r) => r.id) } }) : [];
    const byId = new Map(found.map((v) => [v.id, v]));
    return {
      rows: slice.map((r) => Object.assign(byId.get(r.id)!, { cursorTime: r.t })),
      hasNextPage: ids.length > first,
    };
  }

  authorizeHistory(viewer: Viewer, userId: string): void {
    if (!viewer.userId) throw unauthenticated();
    if (viewer.userId !== userId && !isStaff(viewer)) throw forbidden('Only the user and staff see their vouchers');
  }

  async byIds(em: EntityManager, viewer: Viewer, ids: readonly string[]): Promise<(Voucher | null)[]> {
    const rows = await em.find(Voucher, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row && (row.userId === viewer.userId || isStaff(viewer)) ? row : null;
    });
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────────────

  private async replay(em: EntityManager, userId: string, key: string, requestHash: string): Promise<Voucher | null> {
    const existing = await em.findOne(Voucher, { userId, idempotencyKey: key }, { refresh: true });
    if (!existing) return null;
    if (existing.requestHash !== requestHash)
      throw conflict('this idempotency key was used for another request', { reason: 'IDEMPOTENCY_KEY_REUSED' });
    return existing;
  }

  private async transition(
    id: string,
    from: VoucherStatus[],
    to: VoucherStatus,
    reason?: string,
  ): Promise<Voucher | null> {
    const rows = await this.em()
      .getConnection()
      .execute<{ id: string }[]>(
        `update voucher.voucher set status = ?, reason = coalesce(?, reason), updated_at = now()
        where id = ? and status in (${from.map(() => '?').join(', ')}) returning id`,
        [to, reason ?? null, id, ...from],
      );
    return rows.length ? this.byId(id) : null;
  }
}

function requireUser(viewer: Viewer): string {
  if (!viewer.userId) throw unauthenticated();
  return viewer.userId;
}

function faceOf(row: Voucher): VoucherMoney {
  return { currency: row.faceCurrency, minor: BigInt(row.faceAmount ?? '0') };
}

/** A finished redemption as the mutation answers it: refusals are errors with stable codes. */
function outcomeOrError(row: Voucher): Voucher {
  if (row.direction === 'REDEEM' && row.status === 'REJECTED') {
    if (row.reason === 'ALREADY_USED' || row.reason === 'IN_PROGRESS')
      throw new DomainError(ErrorCode.VOUCHER_CODE_USED, 'this code was already used', {
        reason: row.reason,
        voucherId: row.id,
      });
    if (row.reason === 'INVALID_CODE' || row.reason === 'AMOUNT_OUT_OF_RANGE')
      throw new DomainError(ErrorCode.VOUCHER_CODE_INVALID, 'this is not a valid voucher code of this type', {
        voucherId: row.id,
      });
    throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'the provider cannot redeem vouchers right now', {
      voucherId: row.id,
    });
  }
  return row;
}

function providerUnavailable(provider: string, err: unknown): DomainError {
  return new DomainError(ErrorCode.SERVICE_UNAVAILABLE, `the voucher provider is not answering; try again later`, {
    provider,
    cause: err instanceof ProviderError || err instanceof VoucherProviderRefusedError ? err.name : 'error',
  });
}

/** An error for the log: its class and message only (provider errors never hold codes; this keeps bodies out). */
function errorSummary(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'unknown', message: String(err) };
}

function isUniqueViolation(err: unknown): boolean {
  return (
    (err as { code?: string }).code === '23505' ||
    /UniqueConstraintViolation|duplicate key/.test(String((err as Error)?.name) + String((err as Error)?.message))
  );
}

export type { VoucherMoney };
