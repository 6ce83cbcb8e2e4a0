import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import { byKeys } from '../../../platform/graphql/loaders.js';
import type { SupportContext } from '../context.js';
import { SupportUser, TicketType } from './ticket.type.js';

/** `Ticket` entities: one query per `_entities` call; tickets the viewer may not see are null. */
export const ticketReference = batchedReference<TicketType, SupportContext>('Ticket', 'id', async (ids, ctx) => {
  const rows = await ctx.support.tickets.visibleByIds(ctx.em, ctx.viewer, ids);
  return byKeys(ids, rows.map(TicketType.from), (t) => t.id);
});

export const userReference = {
  __resolveReference: (ref: Record<string, unknown>): SupportUser | null =>
    typeof ref.id === 'string' ? Object.assign(new SupportUser(), { id: ref.id }) : null,
};
