import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRedis } from '../../platform/redis.js';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { buildIdentityServices } from '../../subgraphs/identity/app.js';
import { tokensInvalidBeforeKey } from '../../platform/auth/revocation-keys.js';

/**
 * WebSocket sessions through the whole gateway: every operation on a socket passes the same authenticator
 * (revocation), rate limits, token limit and caps as HTTP, and a sign-out or a reduced access closes the
 * viewer's sockets. Small limits so each is reached quickly.
 */
type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;
const LIMITS = {
  RATE_LIMIT_VIEWER_PER_MINUTE: '20',
  WS_MAX_SOCKETS_PER_VIEWER: '2',
  WS_MAX_OPERATIONS_PER_SOCKET: '3',
  QUERY_MAX_TOKENS: '300',
};

let stack: TestStack;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startStack(LIMITS);
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await stack?.close();
});

async function signIn(): Promise<{ token: string; userId: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const p = res.body.data!.signInWithTelegram;
  return { token: p.accessToken, userId: p.user.id };
}

interface Socket {
  client: Client;
  /** Resolves when the gateway acknowledged connection_init. */
  connected: Promise<void>;
  closed: Promise<{ code: number; reason: string; at: number }>;
}

function open(token: string): Socket {
  let onClosed!: (e: { code: number; reason: string; at: number }) => void;
  let onConnected!: () => void;
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) =>
        onClosed({
          code: (event as { code: number }).code,
          reason: String((event as { reason: unknown }).reason),
          at: Date.now(),
        }),
    },
  });
  clients.push(client);
  return { client, connected, closed };
}

/** One query over the socket: its result, or the error the gateway answered instead. */
function run(client: Client, query: string): Promise<Result | { refused: unknown }> {
  return new Promise((resolve) => {
    let result: Result | null = null;
    client.subscribe(
      { query },
      {
        next: (r) => void (result = r),
        error: (e) => resolve({ refused: e }),
        complete: () => resolve(result ?? { refused: 'completed without a result' }),
      },
    );
  });
}

const codeOf = (outcome: Result | { refused: unknown }): unknown => {
  if ('refused' in outcome)
    return (
      (outcome.refused as { extensions?: { code?: unknown } }[] | undefined)?.[0]?.extensions?.code ?? outcome.refused
    );
  return outcome.errors?.[0]?.extensions?.code ?? 'OK';
};

describe('WebSocket sessions', () => {
  it('closes the socket with 4403 within 1 s of a sign-out over HTTP', async () => {
    const alice = await signIn();
    const socket = open(alice.token);
    expect(await run(socket.client, `{ me { id } }`)).toEqual({ data: { me: { id: alice.userId } } });

    const signOut = await gql(stack.graphqlUrl, `mutation { signOut }`, {}, alice.token);
    const signedOutAt = Date.now();
    expect(signOut.body.data).toEqual({ signOut: true });
    const closed = await socket.closed;
    expect(closed.code).toBe(4403);
    expect(closed.at - signedOutAt).toBeLessThan(1000);
    // the same token cannot open a new socket either
    expect((await open(alice.token).closed).code).toBe(4403);
  });

  it('refuses an operation whose token was revoked even if the close signal was missed, and closes the socket', async () => {
    const bob = await signIn();
    const socket = open(bob.token);
    await socket.connected;
    // what identity writes when access is reduced, without its pub/sub notice: only the per-operation check sees it
    const redis = createRedis(stack.config.redis.url, stack.log);
    try {
      await redis.set(
        tokensInvalidBeforeKey(stack.config.redis.keyPrefix, bob.userId),
        String(Math.floor(Date.now() / 1000) + 1),
        'EX',
        120,
      );
    } finally {
      redis.disconnect();
    }
    // a mutation takes the same path as a query
    const mutation = `mutation { updateSettings(input: { language: FA, displayCurrency: USD }) { id } }`;
    const outcome = await Promise.race([
      run(socket.client, mutation),
      socket.closed.then(() => ({ refused: 'closed' })),
    ]);
    expect(outcome).not.toHaveProperty('data');
    expect((await socket.closed).code).toBe(4403);
  });

  it('closes the socket with 4403 within 1 s when one of the viewer roles is revoked', async () => {
    const dave = await signIn();
    const identity = stack.subgraphs.get('identity')!;
    const services = buildIdentityServices(identity.deps);
    const root = await services.auth.createAdmin(identity.deps.orm.em.fork(), {
      email: 'root@example.com',
      password: 'correct horse battery staple',
      roles: ['USER', 'SUPERADMIN'],
    });
    const superadmin = { userId: root.id, roles: ['SUPERADMIN' as const], claims: [], sessionId: null };
    await services.users.grantRole(identity.deps.orm.em.fork(), superadmin, dave.userId, 'SUPPORT');
    const socket = open(dave.token);
    expect(await run(socket.client, `{ me { id } }`)).toEqual({ data: { me: { id: dave.userId } } });

    await services.users.revokeRole(identity.deps.orm.em.fork(), superadmin, dave.userId, 'SUPPORT');
    const revokedAt = Date.now();
    const closed = await socket.closed;
    expect(closed.code).toBe(4403);
    expect(closed.at - revokedAt).toBeLessThan(1000);
  });

  it('refuses operations over the viewer rate limit with RATE_LIMITED', async () => {
    const carol = await signIn();
    const socket = open(carol.token);
    // 45 operations and connection_init: however they fall into the limiter's one-minute windows, one window sees more than 20
    const outcomes: (Result | { refused: unknown })[] = [];
    for (let i = 0; i < 45; i++) outcomes.push(await run(socket.client, `{ me { id } }`));
    const codes = outcomes.map(codeOf);
    expect(codes).toContain('OK');
    expect(codes).toContain('RATE_LIMITED');
    expect(codes.filter((c) => c !== 'OK' && c !== 'RATE_LIMITED')).toEqual([]);
    const limited = outcomes.find((o) => codeOf(o) === 'RATE_LIMITED') as {
      refused: { extensions: { retryAfterSeconds: number } }[];
    };
    expect(limited.refused[0]!.extensions.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('refuses a socket over the per-viewer cap with 4430, and accepts one again when a socket closes', async () => {
    const erin = await signIn();
    const first = open(erin.token);
    const second = open(erin.token);
    await Promise.all([first.connected, second.connected]);
    const third = open(erin.token);
    const refused = await third.closed;
    expect(refused.code).toBe(4430);
    expect(refused.reason).toContain('Too many sockets');

    await first.client.dispose();
    await first.closed;
    const fourth = open(erin.token);
    await fourth.connected;
    expect(await run(fourth.client, `{ me { id } }`)).toEqual({ data: { me: { id: erin.userId } } });
  });

  it('refuses an operation over the per-socket cap of running operations', async () => {
    const frank = await signIn();
    const socket = open(frank.token);
    const refusals: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      socket.client.subscribe(
        { query: `subscription { meUpdated { id } }` },
        { next: () => undefined, error: (e) => void refusals.push(e), complete: () => undefined },
      );
    }
    const deadline = Date.now() + 5000;
    while (!refusals.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(refusals).toHaveLength(1);
    expect(JSON.stringify(refusals[0])).toContain('RATE_LIMITED');
    expect(JSON.stringify(refusals[0])).toContain('operationsPerSocket');
  });

  it('applies the same parser token limit as HTTP', async () => {
    const grace = await signIn();
    const socket = open(grace.token);
    const within = `{ me { ${'id '.repeat(250)}} }`; // 256 tokens
    // 356 tokens: over QUERY_MAX_TOKENS=300, under the 2,000 the socket's own parser used to allow (a query
    // was parsed again by Apollo; a subscription was not)
    const over = `subscription { meUpdated { ${'id '.repeat(350)}} }`;
    const overHttp = await gql(stack.graphqlUrl, over, {}, grace.token);
    expect(overHttp.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(codeOf(await run(socket.client, over))).toBe('GRAPHQL_PARSE_FAILED');
    expect((await gql(stack.graphqlUrl, within, {}, grace.token)).body.data).toEqual({ me: { id: grace.userId } });
    expect(await run(socket.client, within)).toEqual({ data: { me: { id: grace.userId } } });
  });
});
