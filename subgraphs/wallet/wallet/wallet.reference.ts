import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import { byKeys } from '../../../platform/graphql/loaders.js';
import type { WalletContext } from '../context.js';
import { WalletType, WalletUser } from './wallet.type.js';

/** `Wallet` entities from other subgraphs: one SQL query per `_entities` call; unseen wallets are null. */
export const walletReference = batchedReference<WalletType, WalletContext>('Wallet', 'id', async (ids, ctx) => {
  const wallets = await ctx.wallet.wallets.visibleByIds(ctx.em, ctx.viewer, ids);
  return byKeys(ids, wallets.map(WalletType.from), (w) => w.id);
});

/** `User` needs nothing from this subgraph's storage to be referenced: its fields load (batched) on demand. */
export const walletUserReference = {
  __resolveReference(ref: Record<string, unknown>): WalletUser | null {
    if (typeof ref.id !== 'string') return null;
    const user = new WalletUser();
    user.id = ref.id;
    return user;
  },
};
