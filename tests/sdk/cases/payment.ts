import { expect } from 'vitest';
import { SEED_CARDS, SEED_IBANS } from '../../../devnet/finnotech/fixtures.js';
import {
  AddBankAccountDocument,
  AddBankCardDocument,
  BankDepositInstructionsDocument,
  BankDetailsDocument,
  FiatWithdrawalDocument,
  FiatWithdrawalUpdatedDocument,
  FiatWithdrawalsDocument,
  PaymentDocument,
  PaymentsDocument,
  RequestFiatWithdrawalDocument,
  StartCardPaymentDocument,
} from '../../../clients/sdk/index.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import type { Person } from '../world.js';

/** The devnet bank knows this card and IBAN as علی رضایی's: the user's KYC name must be that. */
const CARD = SEED_CARDS[0]!;
const IBAN = SEED_IBANS[0]!.iban;
const s = {} as { user: Person; cardId: string; accountId: string; paymentId: string; withdrawalId: string };
const key = (what: string) => `sdk-${what}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

export const paymentCases: SdkCaseFile = {
  file: 'payment.graphql',
  async setup(world) {
    s.user = await world.newUser({ IRT: '5000000' });
    await world.approveKycName(s.user, 'علی', 'رضایی');
  },
  cases: [
    sdkCase(BankDepositInstructionsDocument)({
      as: () => s.user,
      check: (data) => expect(data.bankDepositInstructions.depositId).not.toBe(''),
    }),
    sdkCase(AddBankCardDocument)({
      as: () => s.user,
      variables: () => ({ cardNumber: CARD.card }),
      check: (data) => {
        expect(data.addBankCard.maskedNumber).toBe(`${CARD.card.slice(0, 6)}******${CARD.card.slice(-4)}`);
        s.cardId = data.addBankCard.id;
      },
    }),
    sdkCase(AddBankAccountDocument)({
      as: () => s.user,
      variables: () => ({ iban: IBAN }),
      check: (data) => {
        expect(data.addBankAccount.iban).toBe(IBAN);
        s.accountId = data.addBankAccount.id;
      },
    }),
    sdkCase(BankDetailsDocument)({
      as: () => s.user,
      check: (data) => {
        expect(data.me.bankCards.map((c) => c.id)).toEqual([s.cardId]);
        expect(data.me.bankAccounts.map((a) => a.id)).toEqual([s.accountId]);
      },
    }),
    sdkCase(StartCardPaymentDocument)({
      as: () => s.user,
      variables: () => ({ amountToman: '100000', cardId: s.cardId, idempotencyKey: key('pay') }),
      check: (data) => {
        expect(data.startCardPayment).toMatchObject({ amountToman: '100000', cardId: s.cardId });
        expect(data.startCardPayment.paymentUrl).toMatch(/^https?:\/\//);
        s.paymentId = data.startCardPayment.id;
      },
    }),
    sdkCase(PaymentDocument)({
      as: () => s.user,
      variables: () => ({ id: s.paymentId }),
      check: (data) => expect(data.payment!.id).toBe(s.paymentId),
    }),
    sdkCase(PaymentsDocument)({
      as: () => s.user,
      variables: () => ({ first: 10 }),
      check: (data) => expect(data.me.payments.edges.map((e) => e.node.id)).toEqual([s.paymentId]),
    }),
    sdkCase(RequestFiatWithdrawalDocument)({
      as: () => s.user,
      variables: () => ({ amountToman: '100000', bankAccountId: s.accountId, idempotencyKey: key('fw') }),
      check: (data) => {
        expect(data.requestFiatWithdrawal).toMatchObject({ amountToman: '100000', bankAccountId: s.accountId });
        s.withdrawalId = data.requestFiatWithdrawal.id;
      },
    }),
    sdkCase(FiatWithdrawalDocument)({
      as: () => s.user,
      variables: () => ({ id: s.withdrawalId }),
      check: (data) => expect(data.fiatWithdrawal!.id).toBe(s.withdrawalId),
    }),
    sdkCase(FiatWithdrawalsDocument)({
      as: () => s.user,
      variables: () => ({ first: 10 }),
      check: (data) => expect(data.me.fiatWithdrawals.edges.map((e) => e.node.id)).toEqual([s.withdrawalId]),
    }),
    sdkCase(FiatWithdrawalUpdatedDocument)({
      as: () => s.user,
      async cause(world) {
        const res = await world.run(
          RequestFiatWithdrawalDocument,
          { amountToman: '50000', bankAccountId: s.accountId, idempotencyKey: key('fw') },
          s.user,
        );
        expect(res.body.errors).toBeUndefined();
      },
      check: (data) => expect(data.fiatWithdrawalUpdated).toMatchObject({ amountToman: '50000' }),
    }),
  ],
};
