import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DomainError } from '../../../platform/errors.js';
import { assetInfo } from '../../../platform/money/assets.js';
import { parseDecimal } from '../../../providers/http/scaled-decimal.js';
import { accounts } from '../core/accounts.js';
import { draft } from '../core/ledger.types.js';
import { startLedgerFixture, type LedgerFixture } from '../testing/ledger-fixture.js';

/**
 * Random prices (both quote currencies), pairs (USDT_BSC's 18 decimals, IRT's 0, TON's 9, USDT_TRON's 6), sides
 * and amounts, placed for real: every fill leaves Σ per asset over the user's, the exchange's and the fee
 * accounts unchanged, moves exactly the quoted amounts, and never gives the user more than the quoted rate
 * (after spread and fee) would; the whole ledger verifies clean after.
 */
const ASSETS = ['IRT', 'TON', 'USDT_BSC', 'USDT_TRON', 'ETH'] as const;

let f: LedgerFixture;
let userId: string;
let keys = 0;

beforeAll(async () => {
  f = await startLedgerFixture({
    LEDGER_LEVEL_LIMITS: '1:USD:-:-:-',
    LEDGER_ORDER_SPREADS: '*:35',
    LEDGER_ORDER_FEES: '1:0.25:15',
  });
  userId = await f.addUser();
  // plenty of everything, from world:<asset>
  for (const asset of ASSETS) {
    const amount = 10n ** BigInt(assetInfo(asset)!.decimals + 20);
    const r = await f.services.ledger.commit(
      f.em(),
      draft({
        kind: 'ADJUSTMENT',
        asset,
        amount,
        userId,
        actor: 'system:test',
        reason: 'property test funding',
        postings: [{ source: accounts.world(asset), destination: accounts.available(userId, asset), asset, amount }],
      }),
    );
    expect(r.type).toBe('Transaction');
  }
});
afterAll(async () => {
  await f?.close();
});

async function sums(asset: string): Promise<{ user: bigint; exchange: bigint; fees: bigint }> {
  const rows = await f.sql<{ account: string; s: string }>(
    `select account, sum(amount)::text as s from ledger.balance where account = any(?::text[]) group by account`,
    [
      `{${[accounts.available(userId, asset), accounts.held(userId, asset), accounts.exchange(asset), accounts.fees(asset)].join(',')}}`,
    ],
  );
  const of = (a: string) => BigInt(rows.find((r) => r.account === a)?.s ?? '0');
  return {
    user: of(accounts.available(userId, asset)) + of(accounts.held(userId, asset)),
    exchange: of(accounts.exchange(asset)),
    fees: of(accounts.fees(asset)),
  };
}

const price = fc
  .record({ digits: fc.bigInt(1n, 10n ** 12n), scale: fc.integer({ min: 0, max: 8 }) })
  .map(({ digits, scale }) =>
    `${digits / 10n ** BigInt(scale)}.${(digits % 10n ** BigInt(scale)).toString().padStart(scale, '0')}`.replace(
      /\.$/,
      '',
    ),
  );

it('conserves every asset and never gives more than quoted', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        prices: fc.record({ TON: price, USDT: price, ETH: price, TONi: price, USDTi: price, ETHi: price }),
        from: fc.constantFrom(...ASSETS),
        to: fc.constantFrom(...ASSETS),
        side: fc.constantFrom('SPEND' as const, 'RECEIVE' as const),
        whole: fc.bigInt(0n, 10_000n),
        fraction: fc.bigInt(1n, 10n ** 18n),
      }),
      async ({ prices, from, to, side, whole, fraction }) => {
        fc.pre(from !== to);
        const now = new Date();
        const remember = (coin: string, quote: string, v: string) =>
          f.services.prices.remember(coin, quote, { value: parseDecimal(v), observedAt: now });
        remember('TON', 'USD', prices.TON);
        remember('USDT', 'USD', prices.USDT);
        remember('ETH', 'USD', prices.ETH);
        remember('TON', 'IRT', prices.TONi);
        remember('USDT', 'IRT', prices.USDTi);
        remember('ETH', 'IRT', prices.ETHi);
        const decimals = assetInfo(side === 'SPEND' ? from : to)!.decimals;
        const minor = whole * 10n ** BigInt(decimals) + (fraction % 10n ** BigInt(decimals));
        fc.pre(minor > 0n);
        const text = `${minor / 10n ** BigInt(decimals)}${decimals ? `.${(minor % 10n ** BigInt(decimals)).toString().padStart(decimals, '0')}` : ''}`;
        const viewer = f.viewer(userId);
        let quote;
        try {
          quote = await f.services.orders.quote(f.em(), viewer, { from, to, amount: text, side });
        } catch (err) {
          if (err instanceof DomainError && err.code === 'BAD_USER_INPUT') return; // too small to leave anything
          throw err;
        }
        const before = { from: await sums(from), to: await sums(to) };
        const order = await f.services.orders.place(f.em(), viewer, {
          quoteId: quote.id,
          idempotencyKey: `p${++keys}`,
        });
        const after = { from: await sums(from), to: await sums(to) };
        if (order.status === 'REJECTED') {
          // extreme random prices can make a quote cost more than the user has: refused, nothing moved
          expect({ code: order.rejectionCode, short: before.from.user < quote.pay }).toEqual({
            code: 'INSUFFICIENT_FUNDS',
            short: true,
          });
          expect(after).toEqual(before);
          return;
        }
        expect(order.status).toBe('FILLED');
        const total = (s: { user: bigint; exchange: bigint; fees: bigint }) => s.user + s.exchange + s.fees;
        expect(total(after.from)).toBe(total(before.from));
        expect(total(after.to)).toBe(total(before.to));
        expect(before.from.user - after.from.user).toBe(quote.pay);
        expect(after.to.user - before.to.user).toBe(quote.receive);
        expect(after.to.fees - before.to.fees).toBe(quote.fee);
        expect(after.from.exchange - before.from.exchange).toBe(quote.pay);
        if (side === 'SPEND') expect(quote.pay).toBe(minor);
        else expect(quote.receive).toBe(minor);
        // never more than the mid rate less the spread: (receive + fee) ≤ pay × rate × (1 − spread)
        const rate = f.services.orders.rates.rate(from, to);
        expect((quote.receive + quote.fee) * rate.den * 10_000n <= quote.pay * rate.num * BigInt(10_000 - 35)).toBe(
          true,
        );
      },
    ),
    { numRuns: 150 },
  );
  const report = await f.verify();
  expect(report.mismatches).toEqual([]);
}, 240_000);
