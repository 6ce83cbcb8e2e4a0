import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, execute, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { allow } from 'graphql-shield';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeEvent } from '../../platform/bus/envelope.js';
import type { Viewer } from '../../platform/auth/viewer.js';
import { unauthenticated } from '../../platform/errors.js';
import { createLogger } from '../../platform/logger.js';
import type { GatewayContext } from '../context.js';
import { fallbackRule } from '../permissions/permissions.js';
import { isAuthenticated } from '../permissions/rules.js';
import { EventHub } from './event-hub.js';
import { liveFields } from './live-fields.js';
import { startLiveServer } from './live-server.js';
import { buildSubscriptionSchema } from './subscription-schema.js';

/**
 * The live server on its own, with a small API schema in which one Price field depends on the viewer:
 * public selections share one execution; a viewer-dependent selection is executed per viewer, so one
 * viewer's data never reaches another's socket. Real graphql-ws clients, real NATS.
 */
const api = buildSchema(`
  enum Quote { USD IRT }
  type Price { symbol: String! value: String! note: String }
  type Query { price(symbol: String!, quote: Quote!): Price }
`);
const schema = buildSubscriptionSchema(
  api,
  liveFields.filter((f) => f.name === 'priceUpdated'),
);
const prefix = `live${process.pid}.`;
const log = createLogger({ name: 'test', level: 'silent' });
const executions: { viewer: string | null; variables: Record<string, unknown> }[] = [];

let http: Server;
let nc: NatsConnection;
let hub: EventHub;
let live: Awaited<ReturnType<typeof startLiveServer>>;
let url: string;
const clients: Client[] = [];

beforeAll(async () => {
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  hub = new EventHub(nc, log, prefix);
  http = createServer();
  live = await startLiveServer({
    httpServer: http,
    path: '/graphql',
    log,
    hub,
    fields: liveFields,
    guard: {
      limits: { maxDepth: 10, maxAliases: 15, maxCost: 5000 },
      permissions: {
        Query: { price: allow },
        Subscription: { priceUpdated: allow },
        Price: { '*': allow, note: isAuthenticated },
      },
      fallbackRule,
      introspectionForAll: false,
    },
    schema: () => schema,
    execute: async (document, variables, ctx: GatewayContext): Promise<ExecutionResult> => {
      executions.push({ viewer: ctx.viewer.userId, variables });
      const rootValue = {
        price: (args: { symbol: string }) => ({
          symbol: args.symbol,
          value: '1.5',
          note: `for ${ctx.viewer.userId ?? 'nobody'}`,
        }),
      };
      return execute({ schema: api, document, variableValues: variables, rootValue });
    },
    authenticate: async (credential) => {
      const user = /^Bearer (usr_\w+)$/.exec(credential ?? '')?.[1];
      if (!user) throw unauthenticated();
      const viewer: Viewer = { userId: user, roles: ['USER'], claims: [], sessionId: null };
      return { viewer, expiresAt: null };
    },
    maxTokens: 1000,
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await live?.close();
  http?.close();
  hub?.close();
  await nc?.close();
});

function subscriber(user: string, query: string) {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
  });
  clients.push(client);
  const received: unknown[] = [];
  client.subscribe(
    { query },
    { next: (r) => void received.push(r), error: (e) => void received.push({ error: e }), complete: () => undefined },
  );
  return received;
}

const until = async (check: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('fan-out scope', () => {
  it('shares one execution among viewers for public fields and executes per viewer when a field depends on the viewer', async () => {
    const publicA = subscriber('usr_a', `subscription { priceUpdated(symbols: ["TON"], quote: IRT) { symbol value } }`);
    const publicB = subscriber('usr_b', `subscription { priceUpdated(symbols: ["TON"], quote: IRT) { symbol value } }`);
    const privateA = subscriber('usr_a', `subscription { priceUpdated(symbols: ["TON"], quote: IRT) { symbol note } }`);
    const privateB = subscriber('usr_b', `subscription { priceUpdated(symbols: ["TON"], quote: IRT) { symbol note } }`);
    await new Promise((r) => setTimeout(r, 300));

    nc.publish(
      `${prefix}market.price.updated`,
      JSON.stringify(makeEvent('market.price.updated', 'market', { coin: 'TON', quote: 'IRT' })),
    );
    await until(() => [publicA, publicB, privateA, privateB].every((r) => r.length === 1));

    expect(publicA).toEqual([{ data: { priceUpdated: { symbol: 'TON', value: '1.5' } } }]);
    expect(publicB).toEqual(publicA);
    expect(privateA).toEqual([{ data: { priceUpdated: { symbol: 'TON', note: 'for usr_a' } } }]);
    expect(privateB).toEqual([{ data: { priceUpdated: { symbol: 'TON', note: 'for usr_b' } } }]);
    // one anonymous execution for both public sockets, one per viewer for the viewer-dependent selection
    expect(executions.map((e) => e.viewer).sort()).toEqual([null, 'usr_a', 'usr_b'].sort());
    expect(executions[0]!.variables).toEqual({ __live_symbol: 'TON', __live_quote: 'IRT' });
  });
});
