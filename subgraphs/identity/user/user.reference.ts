import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import type { IdentityContext } from '../context.js';
import { UserType } from './user.type.js';

/**
 * `User` entities from other subgraphs: one SQL query per `_entities` call. Staff see anyone; a user only
 * themselves: another user's entity is a FORBIDDEN error in its place (defence in depth behind the gateway).
 */
export const userReference = batchedReference<UserType, IdentityContext>('User', 'id', async (ids, ctx) => {
  const users = await ctx.identity.users.referencesFor(ctx.em, ctx.viewer, ids);
  return users.map((u) => (u instanceof Error || u === null ? u : UserType.from(u))) as (UserType | null)[];
});
