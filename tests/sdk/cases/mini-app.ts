import { expect } from 'vitest';
import {
  AddWithdrawalAddressDocument,
  ApproveKycDocument,
  AppBalanceUpdatedDocument,
  AppDepositAddressDocument,
  AppDepositUpdatedDocument,
  AppHistoryDocument,
  AppHomeDocument,
  AppKycDocument,
  AppKycUpdatedDocument,
  AppOpenTicketDocument,
  AppPlaceOrderDocument,
  AppPriceUpdatedDocument,
  AppQuoteDocument,
  AppRedeemVoucherDocument,
  AppRefreshDocument,
  AppReplyToTicketDocument,
  AppRequestWithdrawalDocument,
  AppSignInDocument,
  AppTicketDocument,
  AppTicketUpdatedDocument,
  AppTicketsDocument,
  AppTransferDocument,
  AppUpdateSettingsDocument,
  AppVouchersDocument,
  AppWithdrawalAddressesDocument,
  AppWithdrawalQuoteDocument,
  AppWithdrawalUpdatedDocument,
  SetVoucherRateDocument,
  SubmitKycDocument,
} from '../../../clients/sdk/index.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import { nationalIdFor, type Person } from '../world.js';
import { uploadKycDocument, verifyPhone } from './kyc.js';

/** The reference Mini App's documents (clients/mini-app), run as the app runs them for one signed-in user. */
const s = {} as {
  alice: Person;
  bob: Person;
  signedInRefreshToken: string;
  address: string;
  bobAddress: string;
  transactionId: string;
  submissionId: string;
  ticketId: string;
  quoteId: string;
  withdrawalId: string;
  redeemedCode: string;
  code: string;
};
const key = (what: string) => `sdk-app-${what}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
/** To another user's deposit address on the platform: an internal transfer, no chain needed. */
const internalWithdrawal = (amount: string) => ({
  asset: 'ETH',
  toAddress: s.bobAddress,
  amount,
  idempotencyKey: key('w'),
});

export const miniAppCases: SdkCaseFile = {
  file: 'mini-app.graphql',
  async setup(world) {
    s.alice = await world.newUser({ USDT_TON: '100', IRT: '10000000', ETH: '1' });
    s.bob = await world.newUser();
    const bob = await world.run(AppDepositAddressDocument, { network: 'ETH' }, s.bob);
    s.bobAddress = bob.body.data!.me.depositAddress.address;

    // a pending KYC submission, for AppKyc and (approved) AppKycUpdated
    await verifyPhone(world, s.alice);
    const documentIds = [
      await uploadKycDocument(world, s.alice, 'ID_CARD_FRONT'),
      await uploadKycDocument(world, s.alice, 'ID_CARD_BACK'),
    ];
    const submitted = await world.run(
      SubmitKycDocument,
      {
        input: {
          tier: 'BASIC',
          firstName: 'مریم',
          lastName: 'احمدی',
          nationalId: nationalIdFor(25),
          birthDate: '1368/04/20',
          birthDateCalendar: 'JALALI',
          documentIds,
        },
      },
      s.alice,
    );
    expect(submitted.body.errors).toBeUndefined();
    s.submissionId = submitted.body.data!.submitKyc.id;

    // a ticket for AppTickets and AppTicket, which come before AppOpenTicket in the file
    const opened = await world.run(
      AppOpenTicketDocument,
      { input: { subject: 'Deposit pending', body: 'My ETH deposit is still confirming.' } },
      s.alice,
    );
    expect(opened.body.errors).toBeUndefined();
    s.ticketId = opened.body.data!.openTicket.id;

    // a saved withdrawal address for AppWithdrawalAddresses
    const added = await world.run(
      AddWithdrawalAddressDocument,
      { input: { network: 'ETH', address: '0x000000000000000000000000000000000000dEaD', label: 'cold' } },
      s.alice,
    );
    expect(added.body.errors).toBeUndefined();

    // voucher rates, one redeemed voucher for AppVouchers and a code for AppRedeemVoucher
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
    s.redeemedCode = world.sims.uwallet.issue('HotVoucher', '1000000'); // Rial on the wire: 100,000 Toman
    const redeemed = await world.run(
      AppRedeemVoucherDocument,
      { type: 'HOT', code: s.redeemedCode, idempotencyKey: key('redeem') },
      s.alice,
    );
    expect(redeemed.body.errors).toBeUndefined();
    s.code = world.sims.uwallet.issue('HotVoucher', '500000');
  },
  cases: [
    sdkCase(AppSignInDocument)({
      as: () => null,
      variables: () => ({ initData: initDataFor(newTelegramUser()) }),
      check: (data) => {
        expect(data.signInWithTelegram.accessToken).not.toBe('');
        expect(Date.parse(data.signInWithTelegram.expiresAt)).toBeGreaterThan(Date.now());
        s.signedInRefreshToken = data.signInWithTelegram.refreshToken;
      },
    }),
    sdkCase(AppRefreshDocument)({
      as: () => null,
      variables: () => ({ refreshToken: s.signedInRefreshToken }),
      check: (data) => {
        expect(data.refreshSession.accessToken).not.toBe('');
        expect(data.refreshSession.refreshToken).not.toBe(s.signedInRefreshToken);
      },
    }),
    sdkCase(AppHomeDocument)({
      as: () => s.alice,
      check: (data) => {
        expect(data.me).toMatchObject({ id: s.alice.userId, username: s.alice.username });
        expect(data.me.balances.find((b) => b.asset.symbol === 'USDT_TON')).toMatchObject({
          available: '100',
          held: '0',
        });
        const usd = data.usd.filter((p) => p !== null);
        const irt = data.irt.filter((p) => p !== null);
        expect(usd.length).toBeGreaterThan(0);
        expect(irt.length).toBeGreaterThan(0);
        expect(usd.every((p) => p.quote === 'USD' && Number(p.value) > 0)).toBe(true);
        expect(irt.every((p) => p.quote === 'IRT' && Number(p.value) > 0)).toBe(true);
      },
    }),
    sdkCase(AppUpdateSettingsDocument)({
      as: () => s.alice,
      variables: () => ({ input: { language: 'FA', displayCurrency: 'IRT' } }),
      check: (data) =>
        expect(data.updateSettings).toEqual(
          expect.objectContaining({ id: s.alice.userId, settings: { language: 'FA', displayCurrency: 'IRT' } }),
        ),
    }),
    sdkCase(AppBalanceUpdatedDocument)({
      as: () => s.alice,
      async cause(world) {
        const res = await world.run(
          AppTransferDocument,
          { input: { toUsername: s.bob.username, asset: 'USDT_TON', amount: '1', idempotencyKey: key('t') } },
          s.alice,
        );
        expect(res.body.data?.transfer.__typename).toBe('Transaction');
      },
      check: (data) => {
        expect(data.balanceUpdated).toEqual([expect.objectContaining({ asset: { symbol: 'USDT_TON' }, held: '0' })]);
        // 100 less the 1 sent and its transfer fee
        expect(Number(data.balanceUpdated[0]!.available)).toBeLessThan(99);
        expect(Number(data.balanceUpdated[0]!.available)).toBeGreaterThan(98);
      },
    }),
    sdkCase(AppPriceUpdatedDocument)({
      as: () => s.alice,
      cause: (world) => world.refreshPrices(),
      check: (data) => {
        expect(['USD', 'IRT']).toContain(data.priceUpdated.quote);
        expect(Number(data.priceUpdated.value)).toBeGreaterThan(0);
      },
    }),
    sdkCase(AppDepositAddressDocument)({
      as: () => s.alice,
      variables: () => ({ network: 'ETH' }),
      check: (data) => {
        expect(data.me.depositAddress).toMatchObject({ network: 'ETH' });
        expect(data.me.depositAddress.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
        s.address = data.me.depositAddress.address;
      },
    }),
    sdkCase(AppDepositUpdatedDocument)({
      as: () => s.alice,
      async cause(world) {
        await world.depositEth(s.address, 5n * 10n ** 17n);
      },
      check: (data) =>
        expect(data.depositUpdated).toMatchObject({ amount: '0.5', network: 'ETH', asset: { symbol: 'ETH' } }),
    }),
    sdkCase(AppTransferDocument)({
      as: () => s.alice,
      variables: () => ({
        input: { toUsername: s.bob.username, asset: 'USDT_TON', amount: '5', idempotencyKey: key('t') },
      }),
      check: (data) => {
        expect(data.transfer).toMatchObject({
          __typename: 'Transaction',
          amount: '5',
          asset: { symbol: 'USDT_TON' },
          counterparty: { username: s.bob.username },
        });
        if (data.transfer.__typename === 'Transaction') s.transactionId = data.transfer.id;
      },
    }),
    sdkCase(AppHistoryDocument)({
      as: () => s.alice,
      variables: () => ({}),
      check: (data) => {
        const transfer = data.me.transactions.edges.find((e) => e.node.id === s.transactionId);
        expect(transfer?.node).toMatchObject({ kind: 'TRANSFER', direction: 'OUT', amount: '5' });
        expect(transfer?.cursor).not.toBe('');
      },
    }),
    sdkCase(AppKycDocument)({
      as: () => s.alice,
      check: (data) => {
        expect(data.me.kyc.phone).not.toBeNull();
        expect(data.me.kyc.latestSubmission).toMatchObject({
          id: s.submissionId,
          status: 'PENDING',
          tierRequested: 'BASIC',
        });
      },
    }),
    sdkCase(AppKycUpdatedDocument)({
      as: () => s.alice,
      async cause(world) {
        const res = await world.run(ApproveKycDocument, { id: s.submissionId, tier: 'BASIC' }, world.superadmin);
        expect(res.body.errors).toBeUndefined();
      },
      check: (data) => expect(data.kycUpdated).toMatchObject({ id: s.submissionId, tierRequested: 'BASIC' }),
    }),
    sdkCase(AppTicketsDocument)({
      as: () => s.alice,
      check: (data) =>
        expect(data.me.tickets.edges.map((e) => e.node)).toEqual([
          expect.objectContaining({ id: s.ticketId, subject: 'Deposit pending' }),
        ]),
    }),
    sdkCase(AppTicketDocument)({
      as: () => s.alice,
      variables: () => ({ id: s.ticketId }),
      check: (data) => {
        expect(data.ticket).toMatchObject({ id: s.ticketId, subject: 'Deposit pending' });
        expect(data.ticket.messages).toEqual([
          expect.objectContaining({ author: 'USER', body: 'My ETH deposit is still confirming.' }),
        ]);
      },
    }),
    sdkCase(AppOpenTicketDocument)({
      as: () => s.alice,
      variables: () => ({ input: { subject: 'Voucher question', body: 'How long does a redemption take?' } }),
      check: (data) => expect(data.openTicket).toMatchObject({ subject: 'Voucher question', status: 'OPEN' }),
    }),
    sdkCase(AppReplyToTicketDocument)({
      as: () => s.alice,
      variables: () => ({ ticketId: s.ticketId, body: 'It is confirmed now.' }),
      check: (data) => expect(data.replyToTicket).toMatchObject({ author: 'USER', body: 'It is confirmed now.' }),
    }),
    sdkCase(AppTicketUpdatedDocument)({
      as: () => s.alice,
      async cause(world) {
        const res = await world.run(AppReplyToTicketDocument, { ticketId: s.ticketId, body: 'Thanks!' }, s.alice);
        expect(res.body.errors).toBeUndefined();
      },
      // the push of the earlier reply may still be on its way: any push of one of alice's tickets is the proof
      check: (data) => expect(data.ticketUpdated.subject).toMatch(/^(Deposit pending|Voucher question)$/),
    }),
    sdkCase(AppQuoteDocument)({
      as: () => s.alice,
      variables: () => ({ input: { from: 'IRT', to: 'TON', side: 'SPEND', amount: '1000000' } }),
      check: (data) => {
        expect(data.quote).toMatchObject({ pay: '1000000', from: { symbol: 'IRT' }, to: { symbol: 'TON' } });
        expect(Number(data.quote.receive)).toBeGreaterThan(0);
        s.quoteId = data.quote.id;
      },
    }),
    sdkCase(AppPlaceOrderDocument)({
      as: () => s.alice,
      variables: () => ({ input: { quoteId: s.quoteId, idempotencyKey: key('order') } }),
      check: (data) =>
        expect(data.placeOrder).toMatchObject({
          status: 'FILLED',
          kind: 'BUY',
          pay: '1000000',
          rejectionCode: null,
          from: { symbol: 'IRT' },
          to: { symbol: 'TON' },
        }),
    }),
    sdkCase(AppWithdrawalAddressesDocument)({
      as: () => s.alice,
      check: (data) => {
        expect(data.me.withdrawalsFrozen).toBe(false);
        expect(data.me.withdrawalAddresses).toEqual([expect.objectContaining({ network: 'ETH', label: 'cold' })]);
      },
    }),
    sdkCase(AppWithdrawalQuoteDocument)({
      as: () => s.alice,
      variables: () => {
        const { idempotencyKey: _unused, ...input } = internalWithdrawal('0.1');
        return { input };
      },
      check: (data) =>
        expect(data.withdrawalQuote).toMatchObject({
          internal: true,
          fee: '0',
          total: '0.1',
          network: 'ETH',
          asset: { symbol: 'ETH' },
        }),
    }),
    sdkCase(AppRequestWithdrawalDocument)({
      as: () => s.alice,
      variables: () => ({ input: internalWithdrawal('0.1') }),
      check: (data) => {
        expect(data.requestWithdrawal).toMatchObject({ internal: true, amount: '0.1', asset: { symbol: 'ETH' } });
        s.withdrawalId = data.requestWithdrawal.id;
      },
    }),
    sdkCase(AppWithdrawalUpdatedDocument)({
      as: () => s.alice,
      async cause(world) {
        const res = await world.run(AppRequestWithdrawalDocument, { input: internalWithdrawal('0.05') }, s.alice);
        expect(res.body.errors).toBeUndefined();
      },
      // the earlier request's later statuses may arrive first: either of alice's internal withdrawals is the proof
      check: (data) => {
        expect(data.withdrawalUpdated).toMatchObject({ internal: true, asset: { symbol: 'ETH' } });
        expect(['0.1', '0.05']).toContain(data.withdrawalUpdated.amount);
      },
    }),
    sdkCase(AppVouchersDocument)({
      as: () => s.alice,
      check: (data) =>
        expect(data.me.vouchers.edges.map((e) => e.node)).toEqual([
          expect.objectContaining({ type: 'HOT', direction: 'REDEEM', asset: 'IRT' }),
        ]),
    }),
    sdkCase(AppRedeemVoucherDocument)({
      as: () => s.alice,
      variables: () => ({ type: 'HOT', code: s.code, idempotencyKey: key('redeem') }),
      check: (data) => expect(data.redeemVoucher).toMatchObject({ type: 'HOT', direction: 'REDEEM', asset: 'IRT' }),
    }),
  ],
};
