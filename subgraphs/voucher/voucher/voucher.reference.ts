import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import type { VoucherContext } from '../context.js';
import { VoucherType } from './voucher.type.js';

/** `Voucher` by id for other subgraphs (support tickets link vouchers): the owner and staff only, one query per batch. */
export const voucherReference = batchedReference<VoucherType, VoucherContext>('Voucher', 'id', async (ids, ctx) =>
  (await ctx.vouchers.vouchers.byIds(ctx.em, ctx.viewer, ids)).map((v) => (v ? VoucherType.from(v) : null)),
);
