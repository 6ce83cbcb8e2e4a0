import { HdRoot } from './custody-root/hd-root.entity.js';
import { CustodyAccount } from './wallet/custody-account.entity.js';
import { Wallet } from './wallet/wallet.entity.js';

/** Every MikroORM entity of the wallet schema (the outbox and inbox are added by the platform). */
export const walletEntities = [HdRoot, CustodyAccount, Wallet];
