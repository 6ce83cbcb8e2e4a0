import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInitData } from './auth/telegram-init-data.js';
import { buildIdentityServices } from './app.js';
import { errorCode, gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { TEST_BOT_TOKEN } from '../../testing/test-env.js';
import { callSubgraphAs } from '../../testing/viewers.js';
import { ANONYMOUS, type Viewer } from '../../platform/auth/viewer.js';

/** The claims of an access token (its payload, read without verifying: the gateway verified it). */
function tokenClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const SIGN_IN = `mutation($initData: String!) { signInWithTelegram(initData: $initData) { accessToken refreshToken expiresAt user { id username firstName level roles settings { language displayCurrency } } } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
const ME = `{ me { id username telegramId level roles settings { language displayCurrency } } }`;

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function signIn(user = newTelegramUser()) {
  const res = await gql(stack.graphqlUrl, SIGN_IN, { initData: initDataFor(user) });
  expect(res.body.errors).toBeUndefined();
  return {
    user,
    payload: res.body.data!.signInWithTelegram as { accessToken: string; refreshToken: string; user: { id: string } },
  };
}

describe('signInWithTelegram', () => {
  it('creates the user on first sign-in and returns tokens and me', async () => {
    const tg = newTelegramUser({ language_code: 'fa' });
    const first = await gql(stack.graphqlUrl, SIGN_IN, { initData: initDataFor(tg) });
    expect(first.status).toBe(200);
    const payload = first.body.data!.signInWithTelegram;
    expect(payload.accessToken).toMatch(/^ey/);
    expect(payload.refreshToken).toMatch(/^ses_[0-9a-z]{26}\.[\w-]+$/);
    expect(new Date(payload.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(payload.user).toMatchObject({
      username: tg.username,
      firstName: tg.first_name,
      level: 1,
      roles: ['USER'],
      settings: { language: 'FA', displayCurrency: 'IRT' },
    });

    const me = await gql(stack.graphqlUrl, ME, {}, payload.accessToken);
    expect(me.body.data!.me).toMatchObject({ id: payload.user.id, telegramId: String(tg.id) });

    const again = await gql(stack.graphqlUrl, SIGN_IN, { initData: initDataFor({ ...tg, username: 'renamed' }) });
    expect(again.body.data!.signInWithTelegram.user).toMatchObject({ id: payload.user.id, username: 'renamed' });
  });

  it('refuses every kind of bad initData with UNAUTHENTICATED, never a 5xx', async () => {
    const tg = newTelegramUser();
    const good = initDataFor(tg);
    const tamperedUser = good.replace(
      encodeURIComponent(`"username":"${tg.username}"`),
      encodeURIComponent('"username":"mallory"'),
    );
    expect(tamperedUser).not.toBe(good);
    const params = new URLSearchParams(good);
    params.set('auth_date', String(Number(params.get('auth_date')) - 1));
    const tamperedDate = params.toString();
    const withoutHash = new URLSearchParams(good);
    withoutHash.delete('hash');
    const cases: Record<string, string> = {
      'tampered user field': tamperedUser,
      'tampered auth_date': tamperedDate,
      'signed with another bot token': initDataFor(tg, { botToken: '7000000002:another-bot-token' }),
      'auth_date older than the window': initDataFor(tg, { authDate: Math.floor(Date.now() / 1000) - 2 * 3600 }),
      'auth_date far in the future': initDataFor(tg, { authDate: Math.floor(Date.now() / 1000) + 3600 }),
      'missing hash': withoutHash.toString(),
      garbage: '%%%not&&init=data',
      empty: '',
      'hash of wrong length': good.replace(/hash=[0-9a-f]+/, 'hash=abc'),
      'no user field': signInitData(TEST_BOT_TOKEN, { auth_date: String(Math.floor(Date.now() / 1000)) }),
      'user not JSON': signInitData(TEST_BOT_TOKEN, {
        auth_date: String(Math.floor(Date.now() / 1000)),
        user: '{not json',
      }),
    };
    for (const [name, initData] of Object.entries(cases)) {
      const res = await gql(stack.graphqlUrl, SIGN_IN, { initData });
      expect({ name, code: errorCode(res), data: res.body.data ?? null }).toEqual({
        name,
        code: 'UNAUTHENTICATED',
        data: null,
      });
      expect(res.status).toBeLessThan(500);
    }
  });

  it('signs one initData in once: a replay within the window is refused with INIT_DATA_REUSED', async () => {
    const tg = newTelegramUser();
    const initData = initDataFor(tg);
    const first = await gql(stack.graphqlUrl, SIGN_IN, { initData });
    expect(first.body.errors).toBeUndefined();
    const replays = await Promise.all(Array.from({ length: 5 }, () => gql(stack.graphqlUrl, SIGN_IN, { initData })));
    for (const replay of replays) {
      expect({ code: errorCode(replay), data: replay.body.data ?? null }).toEqual({
        code: 'INIT_DATA_REUSED',
        data: null,
      });
      expect(replay.status).toBeLessThan(500);
    }
    // the same initData with its fields in another order is the same proof
    const reordered = new URLSearchParams([...new URLSearchParams(initData)].reverse()).toString();
    expect(reordered).not.toBe(initData);
    expect(errorCode(await gql(stack.graphqlUrl, SIGN_IN, { initData: reordered }))).toBe('INIT_DATA_REUSED');
    // a new launch of the Mini App (new initData) signs the same user in again
    const next = await gql(stack.graphqlUrl, SIGN_IN, { initData: initDataFor(tg) });
    expect(next.body.data!.signInWithTelegram.user.id).toBe(first.body.data!.signInWithTelegram.user.id);
    // parallel first uses of one initData: exactly one signs in
    const fresh = initDataFor(newTelegramUser());
    const race = await Promise.all(
      Array.from({ length: 8 }, () => gql(stack.graphqlUrl, SIGN_IN, { initData: fresh })),
    );
    expect(race.filter((r) => !r.body.errors).length).toBe(1);
    // the proof is kept for the freshness window (plus the future skew), no longer
    const redis = stack.subgraphs.get('identity')!.deps.redis;
    const keys = await redis.keys(`${stack.config.redis.keyPrefix}tg-init-data:*`);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    const ttl = await redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(stack.config.telegram.authMaxAgeSeconds + 60);
  });

  it('rejects a wrong, malformed or expired access token with UNAUTHENTICATED', async () => {
    const { payload } = await signIn();
    const forged = `${payload.accessToken.slice(0, -4)}AAAA`;
    for (const token of [forged, 'not-a-jwt', payload.accessToken.split('.').slice(0, 2).join('.') + '.']) {
      const res = await gql(stack.graphqlUrl, ME, {}, token);
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
    const res = await gql(stack.graphqlUrl, ME, {}, null, { authorization: 'Basic abc' });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });
});

describe('refreshSession', () => {
  it('rotates the refresh token, and reuse of an old one revokes the whole family', async () => {
    const { payload } = await signIn();
    const r1 = await gql(stack.graphqlUrl, REFRESH, { t: payload.refreshToken });
    expect(r1.body.errors).toBeUndefined();
    const rotated = r1.body.data!.refreshSession as { accessToken: string; refreshToken: string };
    expect(rotated.refreshToken).not.toBe(payload.refreshToken);
    expect((await gql(stack.graphqlUrl, ME, {}, rotated.accessToken)).body.data!.me.id).toBe(payload.user.id);

    const reuse = await gql(stack.graphqlUrl, REFRESH, { t: payload.refreshToken });
    expect(errorCode(reuse)).toBe('UNAUTHENTICATED');
    // the family is gone: the newest refresh token and the access tokens stop working too
    expect(errorCode(await gql(stack.graphqlUrl, REFRESH, { t: rotated.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(stack.graphqlUrl, ME, {}, rotated.accessToken))).toBe('UNAUTHENTICATED');
    // another session of the same user is unaffected
    const other = await gql(stack.graphqlUrl, SIGN_IN, { initData: initDataFor(newTelegramUser()) });
    expect(other.body.errors).toBeUndefined();
  });

  it('refuses malformed and unknown refresh tokens', async () => {
    for (const t of ['', 'abc', 'ses_00000000000000000000000000.secret', 'ses_x.y.z']) {
      expect(errorCode(await gql(stack.graphqlUrl, REFRESH, { t }))).toBe('UNAUTHENTICATED');
    }
  });

  it('signOut ends the session at once', async () => {
    const { payload } = await signIn();
    const out = await gql(stack.graphqlUrl, 'mutation { signOut }', {}, payload.accessToken);
    expect(out.body.data).toEqual({ signOut: true });
    expect(errorCode(await gql(stack.graphqlUrl, ME, {}, payload.accessToken))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(stack.graphqlUrl, REFRESH, { t: payload.refreshToken }))).toBe('UNAUTHENTICATED');
  });
});

describe('staff', () => {
  const USERS = `query($first: Int!, $after: String, $filter: UserFilter) { users(first: $first, after: $after, filter: $filter) { edges { cursor node { id username roles } } pageInfo { hasNextPage endCursor } } }`;

  async function createStaff(roles: ('ADMIN' | 'SUPERADMIN' | 'SUPPORT')[], email: string) {
    const identity = stack.subgraphs.get('identity')!;
    const services = buildIdentityServices(identity.deps);
    await services.auth.createAdmin(identity.deps.orm.em.fork(), {
      email,
      password: 'correct horse battery staple',
      roles: ['USER', ...roles],
    });
    const res = await gql(
      stack.graphqlUrl,
      `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken refreshToken user { id roles } } }`,
      { e: email, p: 'correct horse battery staple' },
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.signInAdmin as { accessToken: string; refreshToken: string; user: { id: string } };
  }

  it('a USER asking for users gets FORBIDDEN and the identity subgraph receives no request', async () => {
    const { payload } = await signIn();
    const identityRequests = async () => {
      const metric = await stack.subgraphs.get('identity')!.deps.metrics.requests.get();
      return metric.values.filter((v) => v.labels.path === '/graphql').reduce((sum, v) => sum + v.value, 0);
    };
    const before = await identityRequests();
    const res = await gql(stack.graphqlUrl, USERS, { first: 5 }, payload.accessToken);
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.body.data ?? null).toBeNull();
    expect(await identityRequests()).toBe(before);
  });

  it('an ADMIN pages through users newest first without gaps or repeats', async () => {
    const admin = await createStaff(['ADMIN'], 'admin@example.com');
    for (let i = 0; i < 5; i++) await signIn();
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await gql(stack.graphqlUrl, USERS, { first: 2, after }, admin.accessToken);
      expect(res.body.errors).toBeUndefined();
      const page = res.body.data!.users as {
        edges: { node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect(seen.length).toBeGreaterThanOrEqual(6);
    const bad = await gql(stack.graphqlUrl, USERS, { first: 500 }, admin.accessToken);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const badCursor = await gql(stack.graphqlUrl, USERS, { first: 5, after: 'nonsense' }, admin.accessToken);
    expect(errorCode(badCursor)).toBe('BAD_USER_INPUT');
  });

  it('only a SUPERADMIN grants roles; a revoked role stops working at once', async () => {
    const superadmin = await createStaff(['SUPERADMIN'], 'root@example.com');
    const admin = await createStaff(['ADMIN'], 'ops@example.com');
    const support = await createStaff(['SUPPORT'], 'helpdesk@example.com');
    const { payload } = await signIn();
    const GRANT = `mutation($u: ID!, $r: Role!) { grantRole(userId: $u, role: $r) { id roles } }`;
    const REVOKE = `mutation($u: ID!, $r: Role!) { revokeRole(userId: $u, role: $r) { id roles } }`;
    expect(errorCode(await gql(stack.graphqlUrl, GRANT, { u: payload.user.id, r: 'SUPPORT' }, admin.accessToken))).toBe(
      'FORBIDDEN',
    );
    const granted = await gql(stack.graphqlUrl, GRANT, { u: payload.user.id, r: 'SUPPORT' }, superadmin.accessToken);
    expect(granted.body.data!.grantRole.roles).toEqual(['USER', 'SUPPORT']);
    expect((await gql(stack.graphqlUrl, USERS, { first: 1 }, support.accessToken)).body.errors).toBeUndefined();
    await gql(stack.graphqlUrl, REVOKE, { u: support.user.id, r: 'SUPPORT' }, superadmin.accessToken);
    expect(errorCode(await gql(stack.graphqlUrl, USERS, { first: 1 }, support.accessToken))).toBe('UNAUTHENTICATED');
    const unknown = await gql(
      stack.graphqlUrl,
      GRANT,
      { u: 'usr_00000000000000000000000000', r: 'ADMIN' },
      superadmin.accessToken,
    );
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const badEnum = await gql(stack.graphqlUrl, GRANT, { u: payload.user.id, r: 'GOD' }, superadmin.accessToken);
    expect(badEnum.status).toBe(400);
    expect(errorCode(badEnum)).toBe('BAD_USER_INPUT');
  });

  it('nobody changes their own roles or claims, not even a SUPERADMIN', async () => {
    const superadmin = await createStaff(['SUPERADMIN'], 'self@example.com');
    const self = superadmin.user.id;
    const cases = {
      grantRole: [`mutation($u: ID!) { grantRole(userId: $u, role: FINANCE) { id } }`],
      revokeRole: [`mutation($u: ID!) { revokeRole(userId: $u, role: SUPERADMIN) { id } }`],
      grantClaim: [`mutation($u: ID!) { grantClaim(userId: $u, claim: "ledger:adjust") { id } }`],
      revokeClaim: [`mutation($u: ID!) { revokeClaim(userId: $u, claim: "ledger:adjust") { id } }`],
    };
    for (const [name, [query]] of Object.entries(cases)) {
      const res = await gql(stack.graphqlUrl, query!, { u: self }, superadmin.accessToken);
      expect({ name, code: errorCode(res), data: res.body.data ?? null }).toEqual({
        name,
        code: 'SELF_ACCESS_CHANGE',
        data: null,
      });
    }
    const me = await gql(stack.graphqlUrl, `{ me { roles claims } }`, {}, superadmin.accessToken);
    expect(me.body.data!.me).toEqual({ roles: ['USER', 'SUPERADMIN'], claims: [] });
    // another account is still theirs to change
    const { payload } = await signIn();
    const other = await gql(stack.graphqlUrl, cases.grantClaim[0]!, { u: payload.user.id }, superadmin.accessToken);
    expect(other.body.errors).toBeUndefined();
  });

  it('a session started from Telegram carries USER only, even for a staff member; their staff session keeps the roles', async () => {
    const superadmin = await createStaff(['SUPERADMIN'], 'grants@example.com');
    const tg = newTelegramUser();
    const { payload } = await signIn(tg);
    await gql(
      stack.graphqlUrl,
      `mutation($u: ID!) { grantRole(userId: $u, role: ADMIN) { id } }`,
      { u: payload.user.id },
      superadmin.accessToken,
    );
    await gql(
      stack.graphqlUrl,
      `mutation($u: ID!) { grantClaim(userId: $u, claim: "users:read") { id } }`,
      { u: payload.user.id },
      superadmin.accessToken,
    );

    const again = await gql(stack.graphqlUrl, SIGN_IN, { initData: initDataFor(tg) });
    const session = again.body.data!.signInWithTelegram as {
      accessToken: string;
      refreshToken: string;
      user: { roles: string[] };
    };
    expect(session.user.roles).toEqual(['USER', 'ADMIN']); // the account's roles …
    expect(tokenClaims(session.accessToken)).toMatchObject({ roles: ['USER'], claims: [] }); // … not the session's
    const res = await gql(stack.graphqlUrl, USERS, { first: 1 }, session.accessToken);
    expect(errorCode(res)).toBe('FORBIDDEN');
    // a refresh of the Telegram session stays USER only
    const refreshed = (await gql(stack.graphqlUrl, REFRESH, { t: session.refreshToken })).body.data!.refreshSession;
    expect(tokenClaims(refreshed.accessToken)).toMatchObject({ roles: ['USER'], claims: [] });
    expect(errorCode(await gql(stack.graphqlUrl, USERS, { first: 1 }, refreshed.accessToken))).toBe('FORBIDDEN');
    // the staff sign-in of the same kind of account carries the roles, before and after a refresh
    const admin = await createStaff(['ADMIN'], 'both@example.com');
    expect(tokenClaims(admin.accessToken)).toMatchObject({ roles: ['USER', 'ADMIN'] });
    const adminRefreshed = (await gql(stack.graphqlUrl, REFRESH, { t: admin.refreshToken })).body.data!.refreshSession;
    expect(tokenClaims(adminRefreshed.accessToken)).toMatchObject({ roles: ['USER', 'ADMIN'] });
    expect((await gql(stack.graphqlUrl, USERS, { first: 1 }, adminRefreshed.accessToken)).body.errors).toBeUndefined();
  });

  it('wrong admin passwords are refused the same way as unknown emails, and lock after 5 tries', async () => {
    await createStaff(['ADMIN'], 'lock@example.com');
    const SIGN = `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken } }`;
    const unknown = await gql(stack.graphqlUrl, SIGN, { e: 'nobody@example.com', p: 'whatever-password' });
    expect(unknown.body.errors?.[0]?.message).toBe('Wrong email or password');
    for (let i = 0; i < 5; i++)
      expect(errorCode(await gql(stack.graphqlUrl, SIGN, { e: 'lock@example.com', p: `wrong-${i}` }))).toBe(
        'UNAUTHENTICATED',
      );
    const locked = await gql(stack.graphqlUrl, SIGN, { e: 'lock@example.com', p: 'correct horse battery staple' });
    // a locked account answers exactly like an unknown email: it does not tell that the email exists
    expect({
      code: errorCode(locked),
      message: locked.body.errors?.[0]?.message,
      data: locked.body.data ?? null,
    }).toEqual({
      code: 'UNAUTHENTICATED',
      message: unknown.body.errors?.[0]?.message,
      data: null,
    });
  });

  it('50 parallel wrong passwords lock the account: the right password is refused until the lock ends', async () => {
    await createStaff(['SUPERADMIN'], 'parallel@example.com');
    const SIGN = `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken } }`;
    const guesses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        gql(stack.graphqlUrl, SIGN, { e: 'parallel@example.com', p: `guess-${i}-wrong` }),
      ),
    );
    const em = stack.subgraphs.get('identity')!.deps.orm.em.fork();
    const [row] = await em
      .getConnection()
      .execute<{ failed_attempts: number; locked: boolean }[]>(
        `select failed_attempts, locked_until > now() as locked from identity.admin_credential where email = 'parallel@example.com'`,
      );
    expect(row).toEqual({ failed_attempts: 50, locked: true }); // every guess counted
    expect(guesses.map((g) => errorCode(g))).toEqual(Array(50).fill('UNAUTHENTICATED'));
    // the guesses refused because of the lock answer exactly like the ones checked: the lock is not revealed
    expect(new Set(guesses.map((g) => g.body.errors?.[0]?.message))).toEqual(new Set(['Wrong email or password']));
    const right = await gql(stack.graphqlUrl, SIGN, { e: 'parallel@example.com', p: 'correct horse battery staple' });
    expect({ code: errorCode(right), message: right.body.errors?.[0]?.message }).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'Wrong email or password',
    });
    // when the lock has run out, the right password signs in and the count starts again
    await em
      .getConnection()
      .execute(
        `update identity.admin_credential set locked_until = now() - interval '1 second' where email = 'parallel@example.com'`,
      );
    const after = await gql(stack.graphqlUrl, SIGN, { e: 'parallel@example.com', p: 'correct horse battery staple' });
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data!.signInAdmin.accessToken).toMatch(/^ey/);
    const [reset] = await em
      .getConnection()
      .execute<{ failed_attempts: number; locked_until: Date | null }[]>(
        `select failed_attempts, locked_until from identity.admin_credential where email = 'parallel@example.com'`,
      );
    expect(reset).toEqual({ failed_attempts: 0, locked_until: null });
  });

  it('the subgraph itself refuses a USER reading another user, listing users or resolving their entity', async () => {
    const a = (await signIn()).payload.user.id;
    const b = (await signIn()).payload.user.id;
    const asUser: Viewer = { userId: a, roles: ['USER'], claims: [], sessionId: null };
    const asSupport: Viewer = { userId: null, roles: [], claims: [], sessionId: null };
    const staff = await createStaff(['SUPPORT'], 'depth@example.com');
    Object.assign(asSupport, { userId: staff.user.id, roles: ['USER', 'SUPPORT'] });
    const USER_Q = `query($id: ID!) { user(id: $id) { id telegramId roles } }`;
    const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id telegramId settings { language } } } }`;

    expect(errorCode(await callSubgraphAs(stack, 'identity', asUser, USER_Q, { id: b }))).toBe('FORBIDDEN');
    expect((await callSubgraphAs(stack, 'identity', asUser, USER_Q, { id: a })).body.data!.user.id).toBe(a);
    expect(
      errorCode(await callSubgraphAs(stack, 'identity', asUser, `{ users(first: 5) { edges { node { id } } } }`)),
    ).toBe('FORBIDDEN');
    expect(
      errorCode(await callSubgraphAs(stack, 'identity', ANONYMOUS, `{ users(first: 5) { edges { node { id } } } }`)),
    ).toBe('UNAUTHENTICATED');

    const mixed = await callSubgraphAs(stack, 'identity', asUser, ENTITIES, {
      r: [
        { __typename: 'User', id: a },
        { __typename: 'User', id: b },
      ],
    });
    expect(mixed.body.data!._entities[0]).toMatchObject({ id: a });
    expect(mixed.body.data!._entities[1]).toBeNull();
    expect(
      mixed.body.errors?.map((e: { path?: unknown[]; extensions?: { code?: string } }) => [e.path, e.extensions?.code]),
    ).toEqual([[['_entities', 1], 'FORBIDDEN']]);
    const anonymous = await callSubgraphAs(stack, 'identity', ANONYMOUS, ENTITIES, {
      r: [{ __typename: 'User', id: a }],
    });
    expect(errorCode(anonymous)).toBe('FORBIDDEN');

    expect((await callSubgraphAs(stack, 'identity', asSupport, USER_Q, { id: b })).body.data!.user.id).toBe(b);
    const bySupport = await callSubgraphAs(stack, 'identity', asSupport, ENTITIES, {
      r: [
        { __typename: 'User', id: a },
        { __typename: 'User', id: b },
      ],
    });
    expect(bySupport.body.errors).toBeUndefined();
    expect(bySupport.body.data!._entities.map((u: { id: string }) => u.id)).toEqual([a, b]);
  });
});
