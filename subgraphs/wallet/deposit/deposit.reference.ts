import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import { byKeys } from '../../../platform/graphql/loaders.js';
import type { DepositContext } from './deposit.context.js';
import { DepositType } from './deposit.type.js';

/** `Deposit` entities for other subgraphs and for depositUpdated follow-ups: one SQL query per `_entities` call; unseen deposits are null. */
export const depositReference = batchedReference<DepositType, DepositContext>('Deposit', 'id', async (ids, ctx) => {
  const deposits = await ctx.deposits.visibleByIds(ctx.em, ctx.viewer, ids);
  return byKeys(ids, deposits.map(DepositType.from), (d) => d.id);
});
