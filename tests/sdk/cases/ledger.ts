import { expect } from 'vitest';
import {
  BalanceUpdatedDocument,
  BalancesDocument,
  CancelOrderDocument,
  HistoryDocument,
  LimitsDocument,
  OrderDocument,
  OrderUpdatedDocument,
  OrdersDocument,
  PlaceLimitOrderDocument,
  PlaceOrderDocument,
  QuoteTradeDocument,
  TransactionDocument,
  TransferDocument,
} from '../../../clients/sdk/index.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import type { Person } from '../world.js';

const s = {} as { alice: Person; bob: Person; transactionId: string; quoteId: string; limitOrderId: string };
const key = (what: string) => `sdk-${what}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
/** A resting limit order: buying TON at 1 Toman never crosses the market. */
const restingBuy = () => ({
  pair: 'TON/IRT',
  side: 'BUY' as const,
  amount: '1',
  limitPrice: '1',
  idempotencyKey: key('limit'),
});

export const ledgerCases: SdkCaseFile = {
  file: 'ledger.graphql',
  async setup(world) {
    s.alice = await world.newUser({ USDT_TON: '100', IRT: '10000000' });
    s.bob = await world.newUser();
  },
  cases: [
    sdkCase(BalancesDocument)({
      as: () => s.alice,
      variables: () => ({ assets: ['USDT_TON', 'IRT'] }),
      check: (data) =>
        expect(data.balances.map((b) => [b.asset.symbol, b.available])).toEqual([
          ['USDT_TON', '100'],
          ['IRT', '10000000'],
        ]),
    }),
    sdkCase(TransferDocument)({
      as: () => s.alice,
      variables: () => ({
        input: { toUsername: s.bob.username, asset: 'USDT_TON', amount: '5', note: 'sdk', idempotencyKey: key('t') },
      }),
      check: (data) => {
        expect(data.transfer.__typename).toBe('Transaction');
        if (data.transfer.__typename === 'Transaction') s.transactionId = data.transfer.id;
      },
    }),
    sdkCase(HistoryDocument)({
      as: () => s.alice,
      variables: () => ({ first: 10 }),
      check: (data) => expect(data.me.transactions.edges.map((e) => e.node.id)).toContain(s.transactionId),
    }),
    sdkCase(TransactionDocument)({
      as: () => s.bob,
      variables: () => ({ id: s.transactionId }),
      check: (data) => expect(data.transaction).toMatchObject({ id: s.transactionId, kind: 'TRANSFER', amount: '5' }),
    }),
    sdkCase(LimitsDocument)({
      as: () => s.alice,
      check: (data) => expect(data.me.limits.level).toBe(1),
    }),
    sdkCase(QuoteTradeDocument)({
      as: () => s.alice,
      variables: () => ({ input: { from: 'IRT', to: 'TON', side: 'SPEND', amount: '1000000' } }),
      check: (data) => {
        expect(data.quote).toMatchObject({ pay: '1000000', from: { symbol: 'IRT' }, to: { symbol: 'TON' } });
        s.quoteId = data.quote.id;
      },
    }),
    sdkCase(PlaceOrderDocument)({
      as: () => s.alice,
      variables: () => ({ input: { quoteId: s.quoteId, idempotencyKey: key('order') } }),
      check: (data) => expect(data.placeOrder).toMatchObject({ status: 'FILLED', type: 'MARKET', pay: '1000000' }),
    }),
    sdkCase(PlaceLimitOrderDocument)({
      as: () => s.alice,
      variables: () => ({ input: restingBuy() }),
      check: (data) => {
        expect(data.placeLimitOrder).toMatchObject({ status: 'PLACED', type: 'LIMIT', limitSide: 'BUY' });
        s.limitOrderId = data.placeLimitOrder.id;
      },
    }),
    sdkCase(OrderDocument)({
      as: () => s.alice,
      variables: () => ({ id: s.limitOrderId }),
      check: (data) => expect(data.order).toMatchObject({ id: s.limitOrderId, status: 'PLACED' }),
    }),
    sdkCase(CancelOrderDocument)({
      as: () => s.alice,
      variables: () => ({ id: s.limitOrderId }),
      check: (data) => expect(data.cancelOrder.status).toBe('CANCELLED'),
    }),
    sdkCase(OrdersDocument)({
      as: () => s.alice,
      variables: () => ({ first: 10 }),
      check: (data) => expect(data.me.orders.edges.map((e) => e.node.status).sort()).toEqual(['CANCELLED', 'FILLED']),
    }),
    sdkCase(BalanceUpdatedDocument)({
      as: () => s.alice,
      variables: () => ({ assets: ['USDT_TON'] }),
      async cause(world) {
        const res = await world.run(
          TransferDocument,
          { input: { toUsername: s.bob.username, asset: 'USDT_TON', amount: '1', idempotencyKey: key('t') } },
          s.alice,
        );
        expect(res.body.data?.transfer.__typename).toBe('Transaction');
      },
      check: (data) =>
        expect(data.balanceUpdated).toEqual([
          expect.objectContaining({ asset: { symbol: 'USDT_TON', decimals: 6 }, held: '0' }),
        ]),
    }),
    sdkCase(OrderUpdatedDocument)({
      as: () => s.alice,
      async cause(world) {
        const res = await world.run(PlaceLimitOrderDocument, { input: restingBuy() }, s.alice);
        expect(res.body.errors).toBeUndefined();
      },
      check: (data) => expect(data.orderUpdated).toMatchObject({ type: 'LIMIT', status: 'PLACED' }),
    }),
  ],
};
