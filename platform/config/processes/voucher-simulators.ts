import { defineProcess, type ConfigOf } from '../env.js';
import { voucherProviders } from '../vouchers.js';

/** Devnet only: the uWallet, Utopia and Perfect Money simulators on their ports. */
export const voucherSimulatorsProcess = defineProcess('voucher-simulators', { voucherProviders });
export type VoucherSimulatorsConfig = ConfigOf<typeof voucherSimulatorsProcess>;
