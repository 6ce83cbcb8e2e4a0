import { Writable } from 'node:stream';
import pino from 'pino';
import { startPerfectMoneySimulator, type PerfectMoneySimulator } from '../devnet/vouchers/perfect-money.simulator.js';
import { startUtopiaSimulator, type UtopiaSimulator } from '../devnet/vouchers/utopia.simulator.js';
import { startUwalletSimulator, type UwalletSimulator } from '../devnet/vouchers/uwallet.simulator.js';
import type { LedgerServices } from '../subgraphs/ledger/context.js';
import { startStack, type TestStack } from './stack.js';

export interface VoucherStack {
  stack: TestStack;
  ledger: LedgerServices;
  uwallet: UwalletSimulator;
  utopia: UtopiaSimulator;
  pm: PerfectMoneySimulator;
  /** Every log line the stack wrote (tests check that no voucher code appears in them). */
  logLines: string[];
  close(): Promise<void>;
}

/**
 * The voucher end-to-end tests' world: the uWallet, Utopia and Perfect Money simulators with platform balances, a
 * stack pointed at them with short provider timeouts and polls, its log captured, and the ledger's services.
 */
export async function startVoucherStack(): Promise<VoucherStack> {
  const uwallet = await startUwalletSimulator({ balances: { HotVoucher: '100000000', PSVoucher: '100000' } });
  const utopia = await startUtopiaSimulator({ balances: { UUSD: '100000' } });
  const pm = await startPerfectMoneySimulator();
  const logLines: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _e, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  const stack = await startStack(
    {
      UWALLET_BASE_URL: uwallet.url,
      UTOPIA_API_URL: utopia.url,
      PERFECT_MONEY_BASE_URL: pm.url,
      VOUCHER_PROVIDER_TIMEOUT_MS: '400',
      VOUCHER_POLL_MS: '150',
      VOUCHER_HOLD_WAIT_MS: '15000',
    },
    { log },
  );
  const ledger = (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;
  return {
    stack,
    ledger,
    uwallet,
    utopia,
    pm,
    logLines,
    async close() {
      await stack.close();
      await Promise.all([uwallet.close(), utopia.close(), pm.close()]);
    },
  };
}
