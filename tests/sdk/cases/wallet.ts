import { expect } from 'vitest';
import {
  AddWithdrawalAddressDocument,
  CreateWalletDocument,
  DepositAddressDocument,
  DepositDocument,
  DepositUpdatedDocument,
  DepositsByTxHashDocument,
  DepositsDocument,
  MyWithdrawalsDocument,
  RequestWithdrawalDocument,
  ReserveSnapshotsDocument,
  SetDefaultWalletDocument,
  ValidateAddressDocument,
  WalletsDocument,
  WithdrawalAddressesDocument,
  WithdrawalDocument,
  WithdrawalQuoteDocument,
  WithdrawalUpdatedDocument,
} from '../../../clients/sdk/index.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import type { Person } from '../world.js';

const s = {} as {
  alice: Person;
  bob: Person;
  address: string;
  bobAddress: string;
  walletId: string;
  depositId: string;
  txHash: string;
  withdrawalId: string;
};
const key = (what: string) => `sdk-${what}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
/** To another user's deposit address on the platform: an internal transfer, no chain needed. */
const internalWithdrawal = (amount: string) => ({
  asset: 'ETH',
  toAddress: s.bobAddress,
  amount,
  idempotencyKey: key('w'),
});

export const walletCases: SdkCaseFile = {
  file: 'wallet.graphql',
  async setup(world) {
    s.alice = await world.newUser({ ETH: '1' });
    s.bob = await world.newUser();
    const bob = await world.run(DepositAddressDocument, { network: 'ETH' }, s.bob);
    s.bobAddress = bob.body.data!.me.depositAddress.address;
  },
  cases: [
    sdkCase(DepositAddressDocument)({
      as: () => s.alice,
      variables: () => ({ network: 'ETH' }),
      check: (data) => {
        expect(data.me.depositAddress).toMatchObject({ network: 'ETH', isDefault: true });
        s.address = data.me.depositAddress.address;
      },
    }),
    sdkCase(CreateWalletDocument)({
      as: () => s.alice,
      variables: () => ({ network: 'ETH', label: 'savings' }),
      check: (data) => {
        expect(data.createWallet).toMatchObject({ network: 'ETH', label: 'savings', isDefault: false });
        s.walletId = data.createWallet.id;
      },
    }),
    sdkCase(SetDefaultWalletDocument)({
      as: () => s.alice,
      variables: () => ({ id: s.walletId }),
      check: (data) => expect(data.setDefaultWallet).toMatchObject({ id: s.walletId, isDefault: true }),
    }),
    sdkCase(WalletsDocument)({
      as: () => s.alice,
      check: (data) => expect(data.me.wallets.map((w) => w.address)).toContain(s.address),
    }),
    sdkCase(ValidateAddressDocument)({
      as: () => s.alice,
      variables: () => ({ network: 'ETH', address: s.address.toLowerCase() }),
      check: (data) => expect(data.validateAddress).toMatchObject({ valid: true, normalized: s.address }),
    }),
    sdkCase(DepositUpdatedDocument)({
      as: () => s.alice,
      async cause(world) {
        s.txHash = (await world.depositEth(s.address, 5n * 10n ** 17n)).txHash;
      },
      check: (data) => {
        expect(data.depositUpdated).toMatchObject({ txHash: s.txHash, amount: '0.5', asset: { symbol: 'ETH' } });
        s.depositId = data.depositUpdated.id;
      },
    }),
    sdkCase(DepositsDocument)({
      as: () => s.alice,
      variables: () => ({ first: 10 }),
      check: (data) => expect(data.me.deposits.edges.map((e) => e.node.id)).toEqual([s.depositId]),
    }),
    sdkCase(DepositDocument)({
      as: () => s.alice,
      variables: () => ({ id: s.depositId }),
      check: (data) => expect(data.deposit).toMatchObject({ id: s.depositId, network: 'ETH' }),
    }),
    sdkCase(DepositsByTxHashDocument)({
      as: () => s.alice,
      variables: () => ({ network: 'ETH', txHash: s.txHash }),
      check: (data) => expect(data.depositsByTxHash.map((d) => d.id)).toEqual([s.depositId]),
    }),
    sdkCase(WithdrawalQuoteDocument)({
      as: () => s.alice,
      variables: () => {
        const { idempotencyKey: _unused, ...input } = internalWithdrawal('0.1');
        return { input };
      },
      check: (data) => expect(data.withdrawalQuote).toMatchObject({ internal: true, fee: '0', total: '0.1' }),
    }),
    sdkCase(RequestWithdrawalDocument)({
      as: () => s.alice,
      variables: () => ({ input: internalWithdrawal('0.1') }),
      check: (data) => {
        expect(data.requestWithdrawal).toMatchObject({ internal: true, amount: '0.1' });
        s.withdrawalId = data.requestWithdrawal.id;
      },
    }),
    sdkCase(WithdrawalDocument)({
      as: () => s.alice,
      variables: () => ({ id: s.withdrawalId }),
      check: (data) => expect(data.withdrawal!.id).toBe(s.withdrawalId),
    }),
    sdkCase(MyWithdrawalsDocument)({
      as: () => s.alice,
      variables: () => ({ first: 10 }),
      check: (data) => expect(data.me.withdrawals.edges.map((e) => e.node.id)).toContain(s.withdrawalId),
    }),
    sdkCase(WithdrawalUpdatedDocument)({
      as: () => s.alice,
      async cause(world) {
        const res = await world.run(RequestWithdrawalDocument, { input: internalWithdrawal('0.05') }, s.alice);
        expect(res.body.errors).toBeUndefined();
      },
      check: (data) => expect(data.withdrawalUpdated).toMatchObject({ internal: true, amount: '0.05' }),
    }),
    sdkCase(AddWithdrawalAddressDocument)({
      as: () => s.alice,
      variables: () => ({
        input: { network: 'ETH', address: '0x000000000000000000000000000000000000dEaD', label: 'cold' },
      }),
      check: (data) => expect(data.addWithdrawalAddress).toMatchObject({ network: 'ETH', label: 'cold' }),
    }),
    sdkCase(WithdrawalAddressesDocument)({
      as: () => s.alice,
      check: (data) => expect(data.me.withdrawalAddresses.map((a) => a.label)).toEqual(['cold']),
    }),
    sdkCase(ReserveSnapshotsDocument)({
      as: () => null,
      variables: () => ({ assets: ['ETH'] }),
      check: (data) => expect(Array.isArray(data.reserveSnapshots)).toBe(true),
    }),
  ],
};
