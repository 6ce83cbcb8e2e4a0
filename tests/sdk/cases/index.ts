import type { SdkCaseFile } from '../case.js';
import { identityCases } from './identity.js';
import { ledgerCases } from './ledger.js';
import { marketCases } from './market.js';
import { walletCases } from './wallet.js';

/**
 * The cases of every operations file in clients/sdk/operations, one module per file. A new operations file (or a
 * new operation in one) gets its module (or case) here, or tests/contract/sdk-documents.e2e.test.ts fails.
 */
export const SDK_CASE_FILES: SdkCaseFile[] = [identityCases, marketCases, ledgerCases, walletCases];
