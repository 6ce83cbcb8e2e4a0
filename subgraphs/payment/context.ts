import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { PaymentService } from './deposit/payment.service.js';
import type { HolderService } from './holder/holder.service.js';
import type { InstrumentService } from './instrument/instrument.service.js';
import type { StatementService } from './statement/statement.service.js';
import type { WithdrawalService } from './withdrawal/withdrawal.service.js';

export interface PaymentServices {
  holders: HolderService;
  instruments: InstrumentService;
  payments: PaymentService;
  statements: StatementService;
  withdrawals: WithdrawalService;
}

export interface PaymentContext extends SubgraphContext {
  payment: PaymentServices;
}
