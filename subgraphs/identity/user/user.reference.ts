import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import { byKeys } from '../../../platform/graphql/loaders.js';
import type { IdentityContext } from '../context.js';
import { UserType } from './user.type.js';

/** `User` entities from other subgraphs: one SQL query per `_entities` call. */
export const userReference = batchedReference<UserType, IdentityContext>('User', 'id', async (ids, ctx) => {
  const users = await ctx.identity.users.byIds(ctx.em, ids);
  return byKeys(ids, users.map(UserType.from), (u) => u.id);
});
