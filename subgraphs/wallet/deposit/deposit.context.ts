import type { WalletContext } from '../context.js';
import type { DepositService } from './deposit.service.js';
import type { WithdrawalFreezeService } from './freeze.service.js';

/** The wallet request context with the deposit services (added by app.ts). */
export interface DepositContext extends WalletContext {
  deposits: DepositService;
  freezes: WithdrawalFreezeService;
}
