import type { DepositContext } from '../deposit/deposit.context.js';
import type { AddressConfirmations } from './address-confirmation.js';
import type { WithdrawalService } from './withdrawal.service.js';

/** The wallet request context with the withdrawal service (added by app.ts). */
export interface WithdrawalContext extends DepositContext {
  withdrawals: WithdrawalService;
  addressConfirmations: AddressConfirmations;
}
