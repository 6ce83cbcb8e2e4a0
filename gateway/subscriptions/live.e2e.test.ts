import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect as connectNats } from 'nats';
import { makeEvent } from '../../platform/bus/envelope.js';
import { buildIdentityServices } from '../../subgraphs/identity/app.js';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';

let stack: TestStack;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startStack();
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

function connect(connectionParams: Record<string, unknown> | undefined): {
  client: Client;
  closed: Promise<{ code: number; reason: string }>;
} {
  let onClosed!: (e: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: {
      closed: (event) =>
        onClosed({ code: (event as { code: number }).code, reason: String((event as { reason: unknown }).reason) }),
    },
  });
  clients.push(client);
  return { client, closed };
}

interface Received {
  data?: { meUpdated?: { id: string; level: number; settings: { language: string; displayCurrency: string } } } | null;
  errors?: unknown[];
  at: number;
}

function subscribe(
  client: Client,
  query: string,
): { received: Received[]; next(): Promise<Received>; ready: Promise<void> } {
  const received: Received[] = [];
  const waiters: ((r: Received) => void)[] = [];
  client.subscribe<Received['data']>(
    { query },
    {
      next: (value) => {
        const item = { ...(value as Omit<Received, 'at'>), at: Date.now() };
        received.push(item);
        waiters.shift()?.(item);
      },
      error: (err) => received.push({ errors: [err], at: Date.now() }),
      complete: () => undefined,
    },
  );
  // graphql-ws has no "subscribed" ack: wait until the gateway holds the NATS subscription
  const ready = new Promise<void>((resolve) => setTimeout(resolve, 300));
  return {
    received,
    ready,
    next: () =>
      received.length > waiters.length
        ? Promise.resolve(received[received.length - 1]!)
        : new Promise((resolve) => waiters.push(resolve)),
  };
}

const ME_UPDATED = `subscription { meUpdated { id level settings { language displayCurrency } } }`;

describe('meUpdated over graphql-ws', () => {
  it('pushes the viewer within 1 s of updateSettings, and nothing to another user', async () => {
    const alice = await signIn();
    const bob = await signIn();
    const aliceSub = subscribe(connect({ authorization: `Bearer ${alice.token}` }).client, ME_UPDATED);
    const bobSub = subscribe(connect({ authorization: `Bearer ${bob.token}` }).client, ME_UPDATED);
    await Promise.all([aliceSub.ready, bobSub.ready]);

    const started = Date.now();
    const update = await gql(
      stack.graphqlUrl,
      `mutation { updateSettings(input: { language: FA, displayCurrency: USD }) { id } }`,
      {},
      alice.token,
    );
    expect(update.body.errors).toBeUndefined();
    const pushed = await aliceSub.next();
    expect(pushed.at - started).toBeLessThan(1000);
    expect(pushed.data).toEqual({
      meUpdated: { id: alice.userId, level: 1, settings: { language: 'FA', displayCurrency: 'USD' } },
    });

    await new Promise((r) => setTimeout(r, 500));
    expect(bobSub.received).toEqual([]);
    expect(aliceSub.received).toHaveLength(1);
  });

  it('pushes a level change that arrives as an event (KYC approval through JetStream), applied exactly once', async () => {
    const carol = await signIn();
    const sub = subscribe(connect({ authorization: `Bearer ${carol.token}` }).client, ME_UPDATED);
    await sub.ready;
    const nc = await connectNats({ servers: stack.config.nats.url });
    try {
      const js = nc.jetstream();
      const event = makeEvent('kyc.submission.approved', 'kyc', { userId: carol.userId, tier: 'BASIC' });
      const data = new TextEncoder().encode(JSON.stringify(event));
      await js.publish(`${stack.config.nats.subjectPrefix}kyc.submission.approved`, data, { msgID: event.id });
      const pushed = await sub.next();
      expect(pushed.data?.meUpdated).toMatchObject({ id: carol.userId, level: 2 });
      // a redelivered event (new message id, same event id) is not applied twice
      await js.publish(`${stack.config.nats.subjectPrefix}kyc.submission.approved`, data, {
        msgID: `${event.id}-again`,
      });
      await new Promise((r) => setTimeout(r, 700));
      expect(sub.received).toHaveLength(1);
    } finally {
      await nc.close();
    }
  });

  it('pushes a role change made by a superadmin', async () => {
    const dave = await signIn();
    const sub = subscribe(
      connect({ authorization: `Bearer ${dave.token}` }).client,
      `subscription { meUpdated { id roles } }`,
    );
    await sub.ready;
    const identity = stack.subgraphs.get('identity')!;
    const services = buildIdentityServices(identity.deps);
    const root = await services.auth.createAdmin(identity.deps.orm.em.fork(), {
      email: 'root@example.com',
      password: 'correct horse battery staple',
      roles: ['USER', 'SUPERADMIN'],
    });
    await services.users.grantRole(
      identity.deps.orm.em.fork(),
      { userId: root.id, roles: ['SUPERADMIN'], claims: [], sessionId: null },
      dave.userId,
      'SUPPORT',
    );
    const pushed = await sub.next();
    expect(pushed.data).toEqual({ meUpdated: { id: dave.userId, roles: ['USER', 'SUPPORT'] } });
  });

  it('closes the socket with 4401 when its access token expires', async () => {
    const shortLived = await startStack({ ACCESS_TOKEN_TTL_SECONDS: '3' });
    try {
      const res = await gql(
        shortLived.graphqlUrl,
        `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
        { d: initDataFor(newTelegramUser()) },
      );
      let onClosed!: (code: number) => void;
      const closed = new Promise<number>((resolve) => (onClosed = resolve));
      const client = createClient({
        url: shortLived.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${res.body.data!.signInWithTelegram.accessToken}` },
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => undefined,
        on: { closed: (event) => onClosed((event as { code: number }).code) },
      });
      clients.push(client);
      expect(await closed).toBe(4401);
    } finally {
      await shortLived.close();
    }
  });

  it('closes a socket with no token or a bad token', async () => {
    const none = connect(undefined);
    expect((await none.closed).code).toBe(4403);
    const bad = connect({ authorization: 'Bearer not-a-token' });
    expect((await bad.closed).code).toBe(4403);
    const malformed = connect({ authorization: 42 });
    expect((await malformed.closed).code).toBe(4403);
  });

  it('applies the same rules and limits to subscriptions as to HTTP', async () => {
    const alice = await signIn();
    const { client } = connect({ authorization: `Bearer ${alice.token}` });
    const errors: unknown[] = [];
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query: `subscription { meUpdated { id nope } }` },
        {
          next: () => undefined,
          error: (e) => {
            errors.push(e);
            resolve();
          },
          complete: resolve,
        },
      );
    });
    expect(JSON.stringify(errors)).toContain('GRAPHQL_VALIDATION_FAILED');
    // a query over the socket goes through the same gateway pipeline (shield denies staff-only fields)
    const result = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: `{ users(first: 1) { edges { node { id } } } }` },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    expect(JSON.stringify(result)).toContain('FORBIDDEN');
  });
});
