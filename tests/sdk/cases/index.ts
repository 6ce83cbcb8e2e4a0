import type { SdkCaseFile } from '../case.js';
import { botCases } from './bot.js';
import { identityCases } from './identity.js';
import { kycCases } from './kyc.js';
import { ledgerCases } from './ledger.js';
import { marketCases } from './market.js';
import { miniAppCases } from './mini-app.js';
import { paymentCases } from './payment.js';
import { staffCases } from './staff.js';
import { supportCases } from './support.js';
import { voucherCases } from './voucher.js';
import { walletCases } from './wallet.js';

/**
 * The cases of every operations file in clients/sdk/operations, one module per file, run in this order (each file
 * builds its own people in `setup`, so the order is free). A new operations file (or a new operation in one) gets
 * its module (or case) here, or tests/contract/sdk-documents.e2e.test.ts fails.
 */
export const SDK_CASE_FILES: SdkCaseFile[] = [
  identityCases,
  marketCases,
  ledgerCases,
  walletCases,
  kycCases,
  paymentCases,
  voucherCases,
  supportCases,
  staffCases,
  botCases,
  miniAppCases,
];
