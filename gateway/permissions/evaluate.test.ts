import { buildSchema, getOperationAST, parse } from 'graphql';
import { allow, and, deny, or, rule } from 'graphql-shield';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../platform/auth/viewer.js';
import type { GatewayContext } from '../context.js';
import { evaluatePermissions, uniqueFieldUses } from './evaluate.js';
import type { PermissionMap, ShieldRule } from './permissions.js';
import { isAuthenticated, isSuperadmin } from './rules.js';

const schema = buildSchema(`
  type Query { public: Int, secret: Int, me: User, node: Node }
  interface Node { id: ID }
  type User implements Node { id: ID, email: String }
  type Admin implements Node { id: ID, power: Int }
`);

const ctx = (roles: string[] = [], userId: string | null = 'usr_1'): GatewayContext => ({
  viewer: { ...ANONYMOUS, userId, roles: roles as never },
  requestId: 'r',
  _shield: { cache: {} },
});

async function check(map: PermissionMap, query: string, context = ctx()) {
  const doc = parse(query);
  const operation = getOperationAST(doc)!;
  return evaluatePermissions(
    schema,
    map,
    deny as unknown as ShieldRule,
    operation,
    uniqueFieldUses(schema, doc, operation, {}),
    context,
  );
}

describe('evaluatePermissions', () => {
  const map = {
    Query: { public: allow, me: isAuthenticated, node: allow },
    User: { '*': allow, email: isSuperadmin },
    Admin: { id: allow },
  } as unknown as PermissionMap;

  it('denies a field with no rule (fallback deny)', async () => {
    expect(await check(map, '{ secret }')).toMatchObject({ path: 'Query.secret', code: 'FORBIDDEN' });
  });

  it('allows what the rules allow, field rules before the type wildcard', async () => {
    expect(await check(map, '{ public me { id } }')).toBeNull();
    expect(await check(map, '{ me { email } }')).toMatchObject({ path: 'User.email', code: 'FORBIDDEN' });
    expect(await check(map, '{ me { email } }', ctx(['SUPERADMIN']))).toBeNull();
  });

  it('says UNAUTHENTICATED to anonymous callers', async () => {
    expect(await check(map, '{ me { id } }', ctx([], null))).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('checks every possible type behind an interface and inside fragments', async () => {
    expect(await check(map, '{ node { id } }')).toBeNull();
    expect(await check(map, '{ node { ... on Admin { power } } }')).toMatchObject({ path: 'Admin.power' });
    expect(await check(map, '{ me { ...F } } fragment F on User { email }')).toMatchObject({ path: 'User.email' });
  });

  it('leaves introspection types to the introspection policy (no shield rules for __Schema, __Type, …)', async () => {
    expect(
      await check(map, '{ __schema { queryType { name fields { name type { kind ofType { name } } } } } }'),
    ).toBeNull();
    expect(
      await check(map, '{ __type(name: "User") { name ...T } } fragment T on __Type { fields { name args { name } } }'),
    ).toBeNull();
    // an introspection selection does not open the rest of the operation
    expect(await check(map, '{ __schema { queryType { name } } secret }')).toMatchObject({ path: 'Query.secret' });
  });

  it('supports the shield combinators', async () => {
    const isEven = rule()(async () => true);
    const combined = { Query: { public: and(isAuthenticated, or(isSuperadmin, isEven)) } } as unknown as PermissionMap;
    expect(await check(combined, '{ public }')).toBeNull();
    expect(await check(combined, '{ public }', ctx([], null))).not.toBeNull();
  });
});
