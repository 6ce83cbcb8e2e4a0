import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { AdminService } from './admin/admin.service.js';
import type { BalanceService } from './balance/balance.service.js';
import type { Ledger } from './core/ledger.js';
import type { DebtService } from './debt/debt.service.js';
import type { OutboxWaker } from './core/outbox-waker.js';
import type { UserDirectory } from './directory/directory.service.js';
import type { HoldService } from './hold/hold.service.js';
import type { LevelLimits } from './limits/limits.service.js';
import type { PriceBook } from './limits/price-book.js';
import type { PostingsService } from './postings/postings.service.js';
import type { RecoveryService } from './recovery/recovery.service.js';
import type { TransactionService } from './transaction/transaction.service.js';
import type { TransferService } from './transfer/transfer.service.js';
import type { AssetSwitches } from './transfer/asset-switches.js';
import type { OrderService } from './order/order.service.js';
import type { LimitOrders } from './order/limit.service.js';
import type { ReserveService } from './reserve/reserve.service.js';

export interface LedgerServices {
  ledger: Ledger;
  transactions: TransactionService;
  balances: BalanceService;
  transfers: TransferService;
  admin: AdminService;
  holds: HoldService;
  postings: PostingsService;
  /** Moves a retired account's balances on identity.user.recovered. */
  recovery: RecoveryService;
  debts: DebtService;
  directory: UserDirectory;
  waker: OutboxWaker;
  /** The limits policy per user level (LEDGER_LEVEL_LIMITS) and the prices it values movements with. */
  levelLimits: LevelLimits;
  prices: PriceBook;
  /** Assets staff disabled in the market (from `market.asset.updated`): transfers in them are refused. */
  assetSwitches: AssetSwitches;
  /** The instant exchange: quotes, orders (instant and limit), trading settings. */
  orders: OrderService;
  /** Limit orders: held funds, filled by the market's ticks, cancelled or expired. */
  limitOrders: LimitOrders;
  /** Proof of reserves: liabilities and the published Merkle sum trees. */
  reserves: ReserveService;
}

export interface LedgerContext extends SubgraphContext {
  ledger: LedgerServices;
}
