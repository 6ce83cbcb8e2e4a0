import { expect } from 'vitest';
import {
  BuyVoucherDocument,
  RedeemVoucherDocument,
  RevealVoucherCodeDocument,
  SetVoucherRateDocument,
  ValidateVoucherDocument,
  VoucherRatesDocument,
  VouchersDocument,
} from '../../../clients/sdk/index.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import type { Person } from '../world.js';

const s = {} as { user: Person; boughtId: string; code: string };
const key = (what: string) => `sdk-${what}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

export const voucherCases: SdkCaseFile = {
  file: 'voucher.graphql',
  async setup(world) {
    s.user = await world.newUser({ IRT: '10000000' });
    const validUntil = new Date(Date.now() + 3600_000).toISOString();
    for (const [side, price] of [
      ['BUY', '1.02'],
      ['SELL', '0.98'],
    ] as const) {
      const res = await world.run(
        SetVoucherRateDocument,
        { input: { type: 'HOT', side, currency: 'IRT', price, validUntil } },
        world.superadmin,
      );
      expect(res.body.errors).toBeUndefined();
    }
    s.code = world.sims.uwallet.issue('HotVoucher', '1000000'); // Rial on the wire: 100,000 Toman
  },
  cases: [
    sdkCase(VoucherRatesDocument)({
      as: () => s.user,
      variables: () => ({ type: 'HOT' }),
      check: (data) =>
        expect(data.voucherRates.map((r) => [r.side, r.price, r.stale]).sort()).toEqual([
          ['BUY', '1.02', false],
          ['SELL', '0.98', false],
        ]),
    }),
    sdkCase(ValidateVoucherDocument)({
      as: () => s.user,
      variables: () => ({ type: 'HOT', code: s.code }),
      // uWallet has no check-only call for HOT codes: the answer says they are checked at redemption
      check: (data) => expect(data.validateVoucher.message).not.toBe(''),
    }),
    sdkCase(BuyVoucherDocument)({
      as: () => s.user,
      variables: () => ({ type: 'HOT', amount: '250000', payWith: 'IRT', idempotencyKey: key('buy') }),
      check: (data) => {
        expect(data.buyVoucher).toMatchObject({ direction: 'BUY', status: 'COMPLETED', codeAvailable: true });
        s.boughtId = data.buyVoucher.id;
      },
    }),
    sdkCase(RevealVoucherCodeDocument)({
      as: () => s.user,
      variables: () => ({ id: s.boughtId }),
      check: (data) => expect(data.revealVoucherCode.code).not.toBe(''),
    }),
    sdkCase(RedeemVoucherDocument)({
      as: () => s.user,
      variables: () => ({ type: 'HOT', code: s.code, idempotencyKey: key('redeem') }),
      check: (data) => expect(data.redeemVoucher).toMatchObject({ direction: 'REDEEM', asset: 'IRT' }),
    }),
    sdkCase(VouchersDocument)({
      as: () => s.user,
      variables: () => ({ first: 10 }),
      check: (data) => expect(data.me.vouchers.edges.map((e) => e.node.direction).sort()).toEqual(['BUY', 'REDEEM']),
    }),
  ],
};
