import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, execute } from 'graphql';
import { allow } from 'graphql-shield';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Viewer } from '../../platform/auth/viewer.js';
import { makeEvent, type EventEnvelope } from '../../platform/bus/envelope.js';
import { unauthenticated } from '../../platform/errors.js';
import { createLogger } from '../../platform/logger.js';
import { fallbackRule } from '../permissions/permissions.js';
import { EventHub } from './event-hub.js';
import type { EventLog, Replay } from './event-log.js';
import { liveFields } from './live-fields.js';
import { startLiveServer } from './live-server.js';
import { buildSubscriptionSchema } from './subscription-schema.js';

/**
 * The hand-over from replay to live on its own: the stored events come from a log the test holds open, while
 * live events arrive on real NATS. Those that arrive during the replay wait; those the replay pushed already
 * are not pushed again; the rest follow in order.
 */
const api = buildSchema(`
  type Order { id: ID! }
  type Query { order(id: ID!): Order }
`);
const fields = liveFields.filter((f) => f.name === 'orderUpdated');
const schema = buildSubscriptionSchema(api, fields);
const prefix = `handover${process.pid}.`;
const log = createLogger({ name: 'test', level: 'silent' });

let release!: (replay: Replay) => void;
let asked: { subjects: readonly string[]; after: string } | null = null;
const events: EventLog = {
  after: (subjects, after) => {
    asked = { subjects, after };
    return new Promise((resolve) => (release = resolve));
  },
};

let http: Server;
let nc: NatsConnection;
let hub: EventHub;
let live: Awaited<ReturnType<typeof startLiveServer>>;
let url: string;

beforeAll(async () => {
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  hub = new EventHub(nc, log, prefix);
  http = createServer();
  live = await startLiveServer({
    httpServer: http,
    path: '/graphql',
    log,
    hub,
    events,
    fields,
    guard: {
      limits: { maxDepth: 10, maxAliases: 15, maxCost: 5000 },
      permissions: { Query: { order: allow }, Subscription: { orderUpdated: allow }, Order: { '*': allow } },
      fallbackRule,
      introspectionForAll: false,
    },
    schema: () => schema,
    execute: (document, variables) =>
      Promise.resolve(
        execute({ schema: api, document, variableValues: variables, rootValue: { order: (a: { id: string }) => a } }),
      ),
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
  await live?.close();
  http?.close();
  hub?.close();
  await nc?.close();
});

const order = (orderId: string, userId = 'usr_a') => makeEvent('ledger.order.updated', 'ledger', { orderId, userId });
const publish = (event: EventEnvelope) => nc.publish(`${prefix}ledger.order.updated`, JSON.stringify(event));

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('resume: replay, then live', () => {
  it('holds live events during the replay, drops those replayed, and pushes the rest after, in order', async () => {
    const e1 = order('ord_1');
    const e2 = order('ord_2');
    const e3 = order('ord_3');
    const strangers = order('ord_x', 'usr_b');

    const socket = new WebSocket(url, 'graphql-transport-ws');
    const frames: { type: string; id?: string; payload?: Record<string, unknown> }[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer usr_a' } }));
    await until(() => frames.some((f) => f.type === 'connection_ack'));
    socket.send(
      JSON.stringify({
        id: 's',
        type: 'subscribe',
        payload: { query: 'subscription($a: ID) { orderUpdated(after: $a) { id } }', variables: { a: 'evt_seen' } },
      }),
    );
    await until(() => asked !== null);
    expect(asked).toEqual({ subjects: ['ledger.order.updated'], after: 'evt_seen' });

    // during the replay, e2 (also in the replay) and e3 arrive live, and someone else's event
    await new Promise((r) => setTimeout(r, 100)); // the hub's subscription reaches the server
    publish(e2);
    publish(strangers);
    publish(e3);
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(frames.filter((f) => f.type === 'next')).toEqual([]);

    release({ events: [e1, strangers, e2] });
    await until(() => frames.filter((f) => f.type === 'next').length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    const pushed = frames.filter((f) => f.type === 'next').map((f) => f.payload);
    expect(pushed).toEqual(
      [e1, e2, e3].map((e) => ({
        data: { orderUpdated: { id: (e.payload as { orderId: string }).orderId } },
        extensions: { eventId: e.id, eventType: 'ledger.order.updated' },
      })),
    );

    // live from now on; an event replayed earlier and delivered again is still not repeated
    publish(e2);
    const e4 = order('ord_4');
    publish(e4);
    await until(() => frames.filter((f) => f.type === 'next').length >= 4);
    await new Promise((r) => setTimeout(r, 200));
    const ids = frames
      .filter((f) => f.type === 'next')
      .map((f) => (f.payload!.extensions as { eventId: string }).eventId);
    expect(ids).toEqual([e1.id, e2.id, e3.id, e4.id]);
    socket.terminate();
  });

  it('answers a refused replay with RESUME_WINDOW_EXCEEDED and its reason', async () => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const frames: { type: string; id?: string; payload?: unknown }[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer usr_a' } }));
    await until(() => frames.some((f) => f.type === 'connection_ack'));
    asked = null;
    socket.send(
      JSON.stringify({
        id: 'r',
        type: 'subscribe',
        payload: { query: 'subscription { orderUpdated(after: "evt_gone") { id } }' },
      }),
    );
    await until(() => asked !== null);
    release({ refused: 'TOO_MANY' });
    await until(() => frames.some((f) => f.type === 'error'));
    expect(frames.find((f) => f.type === 'error')).toMatchObject({
      id: 'r',
      payload: [{ extensions: { code: 'RESUME_WINDOW_EXCEEDED', reason: 'TOO_MANY' } }],
    });
    socket.terminate();
  });
});
