import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { ProviderBalanceService } from './balance/provider-balance.service.js';
import type { RateService } from './rate/rate.service.js';
import type { ResolutionService } from './voucher/resolution.service.js';
import type { VoucherService } from './voucher/voucher.service.js';

export interface VoucherServices {
  rates: RateService;
  vouchers: VoucherService;
  balances: ProviderBalanceService;
  resolutions: ResolutionService;
}

export interface VoucherContext extends SubgraphContext {
  vouchers: VoucherServices;
}
