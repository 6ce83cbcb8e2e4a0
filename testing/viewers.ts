import { buildIdentityServices } from '../subgraphs/identity/app.js';
import { INTERNAL_CONTEXT_HEADER, InternalTokenSigner } from '../platform/auth/tokens.js';
import type { Role, Viewer } from '../platform/auth/viewer.js';
import { gql, type GraphQLResponse } from './graphql-client.js';
import type { TestStack } from './stack.js';

const PASSWORD = 'correct horse battery staple';
let created = 0;

/** A staff account with these roles (on top of USER), signed in through the gateway with `signInAdmin`. */
export async function signInStaff(
  stack: TestStack,
  roles: Role[],
  email = `staff${++created}-${process.pid}@example.com`,
): Promise<{ token: string; userId: string }> {
  const identity = stack.subgraphs.get('identity')!;
  await buildIdentityServices(identity.deps).auth.createAdmin(identity.deps.orm.em.fork(), {
    email,
    password: PASSWORD,
    roles: ['USER', ...roles],
  });
  const res = await gql(
    stack.graphqlUrl,
    `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken user { id } } }`,
    { e: email, p: PASSWORD },
  );
  if (res.body.errors) throw new Error(`signInAdmin failed: ${JSON.stringify(res.body.errors)}`);
  const payload = res.body.data!.signInAdmin as { accessToken: string; user: { id: string } };
  return { token: payload.accessToken, userId: payload.user.id };
}

/** The internal token the gateway would send `subgraph` for this viewer (signed with the gateway's own key, audience = subgraph). */
export function internalTokenFor(stack: TestStack, subgraph: string, viewer: Viewer): Promise<string> {
  const { privateKey, ttlSeconds } = stack.gatewayConfig.internalTokens;
  return new InternalTokenSigner(privateKey, ttlSeconds).sign(viewer, subgraph);
}

/** Straight to one subgraph, past the gateway, with the signed context the gateway would send for this viewer. */
export async function callSubgraphAs(
  stack: TestStack,
  subgraph: string,
  viewer: Viewer,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<Record<string, any>>> {
  const token = await internalTokenFor(stack, subgraph, viewer);
  return gql(stack.subgraphs.get(subgraph)!.url, query, variables, null, { [INTERNAL_CONTEXT_HEADER]: token });
}
