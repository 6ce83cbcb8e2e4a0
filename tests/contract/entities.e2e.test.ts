import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, visit } from 'graphql';
import type { Viewer } from '../../platform/auth/viewer.js';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { callSubgraphAs } from '../../testing/viewers.js';
import { currentSubgraphSdl } from '../../scripts/supergraph.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Every resolvable @key of every subgraph answers `_entities`, batched, with null for unknown keys. */
describe('entity references', () => {
  it('identity resolves User by id through _entities in one batch', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await gql(
        stack.graphqlUrl,
        `mutation($d: String!) { signInWithTelegram(initData: $d) { user { id } } }`,
        { d: initDataFor(newTelegramUser()) },
      );
      ids.push(res.body.data!.signInWithTelegram.user.id);
    }
    const representations = [
      ...ids.map((id) => ({ __typename: 'User', id })),
      { __typename: 'User', id: 'usr_00000000000000000000000000' },
    ];
    // staff may resolve anyone (a user only themselves: identity.e2e.test.ts)
    const staff = { userId: ids[0]!, roles: ['USER', 'SUPPORT'], claims: [], sessionId: null } satisfies Viewer;
    const res = await callSubgraphAs(
      stack,
      'identity',
      staff,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id level } } }`,
      { r: representations },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!._entities).toEqual([...ids.map((id) => ({ id, level: 1 })), null]);
  });

  it('lists the resolvable keys each subgraph declares', async () => {
    const keys: string[] = [];
    for (const [name, sdl] of await currentSubgraphSdl()) {
      visit(parse(sdl), {
        ObjectTypeDefinition(node) {
          for (const d of node.directives ?? []) {
            if (d.name.value !== 'key') continue;
            const resolvable = d.arguments?.find((a) => a.name.value === 'resolvable');
            if (resolvable && resolvable.value.kind === 'BooleanValue' && !resolvable.value.value) continue;
            keys.push(`${name}:${node.name.value}`);
          }
        },
      });
    }
    expect(keys).toContain('identity:User');
  });
});
