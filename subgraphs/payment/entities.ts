import { KycHolder } from './holder/holder.entity.js';
import { BankAccount, BankCard } from './instrument/instrument.entity.js';
import { Payment } from './deposit/payment.entity.js';
import { BankCredit, DepositCode, StatementCursor } from './statement/statement.entity.js';
import { FiatWithdrawal } from './withdrawal/withdrawal.entity.js';

/** Every table of the payment schema (the subgraph and the workers' store open the same set). */
export const paymentEntities = [
  KycHolder,
  BankCard,
  BankAccount,
  Payment,
  BankCredit,
  DepositCode,
  StatementCursor,
  FiatWithdrawal,
];
