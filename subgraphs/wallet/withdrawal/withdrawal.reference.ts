import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import { byKeys } from '../../../platform/graphql/loaders.js';
import type { WithdrawalContext } from './withdrawal.context.js';
import { WithdrawalType } from './withdrawal.type.js';

/** `Withdrawal` entities (and withdrawalUpdated follow-ups): one SQL query per `_entities` call; unseen ones are null. */
export const withdrawalReference = batchedReference<WithdrawalType, WithdrawalContext>(
  'Withdrawal',
  'id',
  async (ids, ctx) => {
    const rows = await ctx.withdrawals.visibleByIds(ctx.em, ctx.viewer, ids);
    return byKeys(ids, rows.map(WithdrawalType.from), (w) => w.id);
  },
);
