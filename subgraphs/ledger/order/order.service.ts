import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { tradingPair } from '../../../platform/config/order-rules.js';
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
import { assetInfo } from '../../../platform/money/assets.js';
import { accounts } from '../core/accounts.js';
import { checkAmount, checkAsset, checkIdempotencyKey } from '../core/inputs.js';
import type { LedgerResult } from '../core/ledger.js';
import type { OutboxWaker } from '../core/outbox-waker.js';
import { requestHash } from '../core/request-hash.js';
import type { UserDirectory } from '../directory/directory.service.js';
import type { AssetSwitches } from '../transfer/asset-switches.js';
import type { LevelLimits } from '../limits/limits.service.js';
import type { Fill, PostingsService } from '../postings/postings.service.js';
import { toResultType } from '../transaction/results.js';
import type { MarketRates } from './market-rate.js';
import {
  kindOf,
  ORDER_COLUMNS,
  orderColumns,
  OrderEvents,
  orderOf,
  type OrderRecord,
  type OrderRow,
  type OrderStatus,
  type QuoteRecord,
} from './order.records.js';
import { effectiveRate, quoteAmounts, ratioText } from './pricing.js';
import type { PairSetting, TradingSettings } from './trading-settings.js';

const run = <T = Record<string, unknown>>(em: EntityManager, sql: string, params: unknown[] = []) =>
  em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

export interface QuoteInput {
  from: string;
  to: string;
  /** Decimal in the unit of `from` (SPEND) or `to` (RECEIVE). */
  amount: string;
  side: 'SPEND' | 'RECEIVE';
}

export interface OrderFilter {
  status?: OrderStatus | null;
  type?: 'MARKET' | 'LIMIT' | null;
}

interface QuoteRow {
  id: string;
  user_id: string;
  from_asset: string;
  to_asset: string;
  side: 'SPEND' | 'RECEIVE';
  pay_amount: string;
  receive_amount: string;
  fee: string;
  rate: string;
  spread_bps: number;
  fee_bps: number;
  volume_toman: string;
  volume_usd_cents: string | null;
  expires_at: string | Date;
  created_at: string | Date;
  live?: boolean;
}

const QUOTE_COLUMNS = `id, user_id, from_asset, to_asset, side, pay_amount::text, receive_amount::text, fee::text, rate,
  spread_bps, fee_bps, volume_toman::text, volume_usd_cents::text, expires_at, created_at`;

function quoteOf(r: QuoteRow): QuoteRecord {
  return {
    id: r.id,
    userId: r.user_id,
    from: r.from_asset,
    to: r.to_asset,
    side: r.side,
    pay: BigInt(r.pay_amount),
    receive: BigInt(r.receive_amount),
    fee: BigInt(r.fee),
    rate: r.rate,
    spreadBps: r.spread_bps,
    feeBps: r.fee_bps,
    volumeToman: BigInt(r.volume_toman),
    volumeUsdCents: r.volume_usd_cents === null ? null : BigInt(r.volume_usd_cents),
    expiresAt: new Date(r.expires_at),
    createdAt: new Date(r.created_at),
  };
}

/** A fill the ledger refused: the order is REJECTED with this code. */
interface Refusal {
  code: 'INSUFFICIENT_FUNDS' | 'LIMIT_EXCEEDED' | 'EXPOSURE_LIMIT_EXCEEDED';
  message: string;
}

export const tradingDisabled = (pair: string) =>
  new DomainError(ErrorCode.TRADING_DISABLED, `Trading ${pair} is switched off; try again later`, { pair });

/**
 * The instant exchange: the platform is the counterparty of every order, priced from the market's median
 * (MarketRates) with a spread per pair and a fee per user level. A quote is stored server-side (the client holds
 * only its opaque id), so its amounts cannot be altered; placing it fills it in one ledger transaction (user →
 * exchange:<paid asset>, exchange:<received asset> → user and → fees:<received asset>) in the same database
 * transaction as the order row, its level-limit claim and its events.
 */
export class OrderService {
  constructor(
    private readonly postings: PostingsService,
    readonly rates: MarketRates,
    readonly settings: TradingSettings,
    private readonly levels: LevelLimits,
    private readonly directory: UserDirectory,
    private readonly waker: OutboxWaker,
    private readonly switches: AssetSwitches,
  ) {}

  /** ASSET_DISABLED when staff switched either asset off in the market (no new trades in it). */
  async requireAssetsEnabled(em: EntityManager, from: string, to: string): Promise<void> {
    await this.switches.requireEnabled(em, from);
    await this.switches.requireEnabled(em, to);
  }

  /** Prices `amount` and stores the quote for `quoteTtlSeconds`. */
  async quote(em: EntityManager, viewer: Viewer, input: QuoteInput): Promise<QuoteRecord> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const from = checkAsset(input.from, 'from').symbol;
    const to = checkAsset(input.to, 'to').symbol;
    if (from === to) throw badInput('from and to must be two different assets', { field: 'to' });
    if (input.side !== 'SPEND' && input.side !== 'RECEIVE')
      throw badInput('side is SPEND or RECEIVE', { field: 'side' });
    const amount = checkAmount(input.amount, assetInfo(input.side === 'SPEND' ? from : to)!);
    const setting = await this.settings.pair(em, tradingPair(from, to));
    if (!setting.enabled) throw tradingDisabled(setting.pair);
    await this.requireAssetsEnabled(em, from, to);
    const fee = await this.settings.feeFor(em, await this.directory.levelOf(em, userId));
    const rate = this.rates.rate(from, to);
    const terms = {
      rate,
      spreadBps: setting.spreadBps,
      feeFixed: this.rates.fromUsdCents(fee.fixedUsdCents, to),
      feeBps: fee.bps,
    };
    const amounts = quoteAmounts(terms, input.side, amount);
    const eff = effectiveRate(terms);
    const shown = {
      num: eff.num * 10n ** BigInt(assetInfo(from)!.decimals),
      den: eff.den * 10n ** BigInt(assetInfo(to)!.decimals),
    };
    const volumeToman = this.rates.valueOf(from, amounts.pay, 'IRT');
    let volumeUsdCents: bigint | null = null;
    try {
      volumeUsdCents = this.rates.valueOf(from, amounts.pay, 'USD');
    } catch (err) {
      if (!(err instanceof DomainError)) throw err; // a Toman pair quotes without the USD prices; the event says null
    }
    const [row] = await run<QuoteRow>(
      em,
      `insert into ledger.order_quote (id, user_id, from_asset, to_asset, side, pay_amount, receive_amount, fee, rate,
         spread_bps, fee_bps, volume_toman, volume_usd_cents, expires_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now() + (? * interval '1 millisecond'))
       returning ${QUOTE_COLUMNS}`,
      [
        newId('quo'),
        userId,
        from,
        to,
        input.side,
        amounts.pay.toString(),
        amounts.receive.toString(),
        amounts.fee.toString(),
        ratioText(shown, 18),
        setting.spreadBps,
        fee.bps,
        volumeToman.toString(),
        volumeUsdCents?.toString() ?? null,
        this.settings.quoteTtlMs,
      ],
    );
    return quoteOf(row!);
  }

  /**
   * Fills a live quote once. The same key and quote answer the same order (FILLED or REJECTED); the key with
   * another quote, or the quote under another key, is CONFLICT. An expired quote (QUOTE_EXPIRED), a pair switched
   * off (TRADING_DISABLED) or a missing price write nothing.
   */
  async place(
    em: EntityManager,
    viewer: Viewer,
    input: { quoteId: string; idempotencyKey: string },
  ): Promise<OrderRecord> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const key = checkIdempotencyKey(input.idempotencyKey);
    const quoteId = typeof input.quoteId === 'string' ? input.quoteId.trim() : '';
    const hash = requestHash('placeOrder', { quoteId });
    // The market's asset switches (a per-process copy read on its own connection, so checked before the
    // transaction takes one): a key already used still gets its original answer.
    const [assets] = await run<{ from_asset: string; to_asset: string }>(
      em,
      'select from_asset, to_asset from ledger.order_quote where id = ? and user_id = ?',
      [quoteId, userId],
    );
    if (assets)
      try {
        await this.requireAssetsEnabled(em, assets.from_asset, assets.to_asset);
      } catch (err) {
        if (!(await this.byKey(em, userId, key))) throw err;
      }
    const order = await em.fork().transactional(async (tx) => {
      const prior = await this.byKey(tx, userId, key);
      if (prior) return this.replay(prior, hash);
      const [row] = await run<QuoteRow>(
        tx,
        `select ${QUOTE_COLUMNS}, expires_at > now() as live from ledger.order_quote where id = ? and user_id = ?`,
        [quoteId, userId],
      );
      if (!row) throw notFound('Quote', quoteId);
      const quote = quoteOf(row);
      if (!row.live)
        throw new DomainError(
          ErrorCode.QUOTE_EXPIRED,
          `The quote expired at ${quote.expiresAt.toISOString()}: ask for a new one`,
          { expiresAt: quote.expiresAt.toISOString() },
        );
      const setting = await this.settings.pair(tx, tradingPair(quote.from, quote.to), true);
      if (!setting.enabled) throw tradingDisabled(setting.pair);
      const [inserted] = await run<OrderRow>(
        tx,
        `insert into ledger.trade_order (id, user_id, idempotency_key, request_hash, type, kind, from_asset, to_asset,
           pay_amount, receive_amount, fee, rate, quote_id, status, volume_toman, volume_usd_cents)
         values (?, ?, ?, ?, 'MARKET', ?, ?, ?, ?, ?, ?, ?, ?, 'PLACED', ?, ?)
         on conflict do nothing
         returning ${ORDER_COLUMNS}`,
        [
          newId('ord'),
          userId,
          key,
          hash,
          kindOf(quote.from, quote.to),
          quote.from,
          quote.to,
          quote.pay.toString(),
          quote.receive.toString(),
          quote.fee.toString(),
          quote.rate,
          quote.id,
          quote.volumeToman.toString(),
          quote.volumeUsdCents?.toString() ?? null,
        ],
      );
      if (!inserted) {
        // a concurrent placement with this key, or of this quote, committed first
        const again = await this.byKey(tx, userId, key);
        if (again) return this.replay(again, hash);
        throw conflict('This quote was already placed (one order per quote): ask for a new one', {
          field: 'quoteId',
        });
      }
      return this.fill(tx, orderOf(inserted), setting, null);
    });
    this.waker.poke();
    return order;
  }

  private replay(prior: OrderRecord & { requestHash: string }, hash: string): OrderRecord {
    if (prior.requestHash !== hash)
      throw conflict('This idempotencyKey was already used for a different request', { field: 'idempotencyKey' });
    return prior;
  }

  /**
   * Posts a PLACED order's fill inside `tx` (the order's row is the caller's to lock) and moves it to FILLED, or
   * to REJECTED when the ledger refuses (funds, level limit) or the exposure cap would be passed. `holdId`: a
   * limit order pays from its hold.
   */
  async fill(tx: EntityManager, order: OrderRecord, setting: PairSetting, holdId: string | null): Promise<OrderRecord> {
    const gross = order.receive + order.fee;
    const exposure = await this.exposureRefusal(tx, setting, order.to, gross);
    let refusal: Refusal | null = exposure;
    let transactionId: string | null = null;
    if (!refusal) {
      const claim = await this.levels.claimFor(tx, order.userId, order.from, order.pay);
      const result: LedgerResult = await this.postings.fill(
        tx,
        fillOf(order),
        order.userId,
        holdId
          ? { levelLimit: claim, holdId, payFrom: accounts.held(order.userId, order.from) }
          : { levelLimit: claim },
      );
      if (result.type === 'Transaction') transactionId = result.transaction.id;
      else if (result.type === 'InsufficientFunds' || result.type === 'LimitExceeded')
        refusal = {
          code: result.type === 'InsufficientFunds' ? 'INSUFFICIENT_FUNDS' : 'LIMIT_EXCEEDED',
          message: (toResultType(result) as { message: string }).message,
        };
      else throw new Error(`unexpected fill result ${result.type}`);
    }
    const [row] = await run<OrderRow>(
      tx,
      `update ledger.trade_order set status = ?, transaction_id = ?, rejection_code = ?, rejection_message = ?,
         updated_at = clock_timestamp() where id = ? and status = 'PLACED' returning ${ORDER_COLUMNS}`,
      [transactionId ? 'FILLED' : 'REJECTED', transactionId, refusal?.code ?? null, refusal?.message ?? null, order.id],
    );
    if (!row) throw new Error(`order ${order.id} left PLACED while it was being filled`);
    const done = orderOf(row);
    this.recordOutcome(tx, done);
    return done;
  }

  /**
   * Fills several PLACED limit orders from their holds (rows locked by the caller, no exposure cap on their
   * pairs) with one `commit_batch` round trip and one update of their rows; each gets its own outcome.
   */
  async fillMany(tx: EntityManager, orders: OrderRecord[]): Promise<OrderRecord[]> {
    if (!orders.length) return [];
    const fills = [];
    for (const o of orders)
      fills.push({
        fill: fillOf(o),
        extra: {
          levelLimit: await this.levels.claimFor(tx, o.userId, o.from, o.pay),
          holdId: o.holdId,
          payFrom: accounts.held(o.userId, o.from),
        },
      });
    const results = await this.postings.fillMany(tx, fills, 'system:limit-orders');
    const outcome = results.map((r) => {
      if (r.type === 'Transaction') return { status: 'FILLED', tx: r.transaction.id, code: null, message: null };
      if (r.type === 'InsufficientFunds' || r.type === 'LimitExceeded')
        return {
          status: 'REJECTED',
          tx: null,
          code: r.type === 'InsufficientFunds' ? 'INSUFFICIENT_FUNDS' : 'LIMIT_EXCEEDED',
          message: (toResultType(r) as { message: string }).message,
        };
      throw new Error(`unexpected fill result ${r.type}`);
    });
    const rows = await run<OrderRow>(
      tx,
      `update ledger.trade_order o set status = v.status, transaction_id = v.transaction_id, rejection_code = v.code,
         rejection_message = v.message, updated_at = clock_timestamp()
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) as v(id, status, transaction_id, code, message)
       where o.id = v.id and o.status = 'PLACED'
       returning ${orderColumns('o.')}`,
      [
        nullableTextArray(orders.map((o) => o.id)),
        nullableTextArray(outcome.map((x) => x.status)),
        nullableTextArray(outcome.map((x) => x.tx)),
        nullableTextArray(outcome.map((x) => x.code)),
        nullableTextArray(outcome.map((x) => x.message)),
      ],
    );
    if (rows.length !== orders.length) throw new Error('limit orders left PLACED while they were being filled');
    const done = rows.map(orderOf);
    for (const o of done) this.recordOutcome(tx, o);
    return done;
  }

  private recordOutcome(tx: EntityManager, done: OrderRecord): void {
    this.recordUpdate(tx, done);
    if (done.transactionId)
      recordEvent(tx, OrderEvents.filled, 'ledger', {
        orderId: done.id,
        userId: done.userId,
        type: done.type,
        kind: done.kind,
        from: done.from,
        to: done.to,
        pay: done.pay.toString(),
        receive: done.receive.toString(),
        fee: done.fee.toString(),
        transactionId: done.transactionId,
        volumeToman: done.volumeToman.toString(),
        volumeUsdCents: done.volumeUsdCents?.toString() ?? null,
      });
  }

  recordUpdate(tx: EntityManager, order: OrderRecord): void {
    recordEvent(tx, OrderEvents.updated, 'ledger', {
      orderId: order.id,
      userId: order.userId,
      status: order.status,
      type: order.type,
    });
  }

  /**
   * With a cap on the pair: the exchange's position in the asset it pays out (Σ of exchange:<asset>'s stripes,
   * read under a per-asset advisory lock held to commit, so parallel orders see each other) must not end further
   * short than the cap's worth in USD.
   */
  private async exposureRefusal(
    tx: EntityManager,
    setting: PairSetting,
    asset: string,
    outflow: bigint,
  ): Promise<Refusal | null> {
    if (setting.exposureCapUsdCents === null) return null;
    await run(tx, 'select pg_advisory_xact_lock(hashtext(?))', [`ledger.exposure:${asset}`]);
    const [row] = await run<{ amount: string }>(
      tx,
      'select coalesce(sum(amount), 0)::text as amount from ledger.balance where account = ?',
      [accounts.exchange(asset)],
    );
    const after = BigInt(row!.amount) - outflow;
    if (after >= 0n) return null;
    const short = this.rates.valueOf(asset, -after, 'USD');
    if (short <= setting.exposureCapUsdCents) return null;
    return {
      code: 'EXPOSURE_LIMIT_EXCEEDED',
      message: `The exchange cannot take more ${asset} exposure on ${setting.pair} now; try a smaller amount or later`,
    };
  }

  private async byKey(tx: EntityManager, userId: string, key: string) {
    const [row] = await run<OrderRow>(
      tx,
      `select ${ORDER_COLUMNS} from ledger.trade_order where user_id = ? and idempotency_key = ?`,
      [userId, key],
    );
    return row ? { ...orderOf(row), requestHash: row.request_hash } : null;
  }

  /**
   * Forgets quotes that expired more than an hour ago (at most `limit`): an order keeps its own copy of the amounts,
   * and a replayed key answers its order without the quote. Returns how many.
   */
  async pruneQuotes(em: EntityManager, limit = 5_000): Promise<number> {
    const rows = await run<{ n: string }>(
      em,
      `with gone as (delete from ledger.order_quote where id in (
         select id from ledger.order_quote where expires_at < now() - interval '1 hour' limit ?) returning 1)
       select count(*)::text as n from gone`,
      [limit],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** One order: its owner or staff; null for anyone else. */
  async byId(em: EntityManager, viewer: Viewer, id: string): Promise<OrderRecord | null> {
    if (!viewer.userId) throw unauthenticated();
    const [row] = await run<OrderRow>(em, `select ${ORDER_COLUMNS} from ledger.trade_order where id = ?`, [id]);
    if (!row || (row.user_id !== viewer.userId && !isStaff(viewer))) return null;
    return orderOf(row);
  }

  /** A user's orders newest first, keyset-paged by (created_at, id). The owner or staff. */
  async history(
    em: EntityManager,
    viewer: Viewer,
    userId: string,
    filter: OrderFilter,
    first: number,
    after: string | null,
  ): Promise<{ orders: OrderRecord[]; hasNextPage: boolean }> {
    if (!viewer.userId) throw unauthenticated();
    if (viewer.userId !== userId && !isStaff(viewer))
      throw forbidden("Only the account's owner and staff can see this");
    if (!Number.isInteger(first) || first < 1 || first > 100)
      throw badInput('first must be 1 to 100', { field: 'first' });
    const where = ['user_id = ?'];
    const params: unknown[] = [userId];
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.type) {
      where.push('type = ?');
      params.push(filter.type);
    }
    if (after) {
      const c = decodeKeysetCursor(after, /^ord_[A-Za-z0-9]+$/);
      where.push('(created_at, id) < (?::timestamptz, ?)');
      params.push(c.time, c.id);
    }
    const rows = await run<OrderRow>(
      em,
      `select ${ORDER_COLUMNS} from ledger.trade_order where ${where.join(' and ')}
       order by created_at desc, id desc limit ?`,
      [...params, first + 1],
    );
    return { orders: rows.slice(0, first).map(orderOf), hasNextPage: rows.length > first };
  }
}

function fillOf(o: OrderRecord): Fill {
  return {
    orderId: o.id,
    userId: o.userId,
    kind: o.kind,
    pay: { asset: o.from, amount: o.pay },
    receive: { asset: o.to, amount: o.receive + o.fee },
    fee: o.fee,
  };
}

/** A Postgres text[] literal in which null stays NULL. */
function nullableTextArray(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

export const orderCursor = (o: OrderRecord) => encodeKeysetCursor(o.createdAtText, o.id);
