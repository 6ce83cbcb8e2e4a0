import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger } from '../../platform/logger.js';
import { serveGraphQLWs, type ProtocolHandlers, type WsConnection } from './ws-protocol.js';

const log = createLogger({ name: 'test', level: 'silent' });
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface State {
  user: string;
}

async function server(
  handlers: Partial<ProtocolHandlers<State>> = {},
  options: { keepAliveMs?: number; connectionInitWaitTimeoutMs?: number } = {},
) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const stopped: string[] = [];
  const served = serveGraphQLWs<State>(
    wss,
    {
      connect: async (_c, params) => (params?.token === 'ok' ? { user: 'u1' } : null),
      subscribe: async (connection, id, payload) => {
        if (payload.query === 'bad') return [new GraphQLError('refused', { extensions: { code: 'BAD_USER_INPUT' } })];
        if (payload.query === 'once') {
          connection.next(id, { data: { hello: connection.state.user } });
          connection.complete(id);
        }
        return { stop: () => void stopped.push(id) };
      },
      ...handlers,
    },
    { log, ...options },
  );
  closers.push(() => served.close());
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, served, stopped };
}

/** A raw client: what it received and how it was closed. */
function raw(url: string, protocol: string | null = 'graphql-transport-ws') {
  const ws = new WebSocket(url, protocol ? [protocol] : []);
  const messages: Record<string, unknown>[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  ws.on('error', () => undefined);
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  closers.push(async () => void ws.terminate());
  return {
    ws,
    messages,
    closed,
    opened,
    send: async (m: unknown) => (await opened, ws.send(typeof m === 'string' ? m : JSON.stringify(m))),
  };
}

const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('graphql-transport-ws server', () => {
  it('works with the graphql-ws client: ack, next and complete of a one-shot operation', async () => {
    const { url } = await server();
    const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { token: 'ok' }, retryAttempts: 0 });
    closers.push(async () => client.dispose());
    const results: unknown[] = [];
    await new Promise<void>((resolve, reject) =>
      client.subscribe({ query: 'once' }, { next: (r) => void results.push(r), error: reject, complete: resolve }),
    );
    expect(results).toEqual([{ data: { hello: 'u1' } }]);
  });

  it('closes with the protocol codes of graphql-ws', async () => {
    const { url } = await server({}, { connectionInitWaitTimeoutMs: 200 });
    expect((await raw(url, null).closed).code).toBe(4406); // no graphql-transport-ws subprotocol
    expect((await raw(url).closed).code).toBe(4408); // no connection_init in time

    const refused = raw(url);
    await refused.send({ type: 'connection_init', payload: { token: 'nope' } });
    expect(await refused.closed).toEqual({ code: 4403, reason: 'Forbidden' });

    const early = raw(url);
    await early.send({ type: 'subscribe', id: '1', payload: { query: 'x' } });
    expect((await early.closed).code).toBe(4401);

    const twice = raw(url);
    await twice.send({ type: 'connection_init', payload: { token: 'ok' } });
    await twice.send({ type: 'connection_init', payload: { token: 'ok' } });
    expect((await twice.closed).code).toBe(4429);

    const garbage = raw(url);
    await garbage.send('{"type":');
    expect((await garbage.closed).code).toBe(4400);

    const duplicate = raw(url);
    await duplicate.send({ type: 'connection_init', payload: { token: 'ok' } });
    await until(() => duplicate.messages.length === 1);
    await duplicate.send({ type: 'subscribe', id: 'a', payload: { query: 'live' } });
    await duplicate.send({ type: 'subscribe', id: 'a', payload: { query: 'live' } });
    expect((await duplicate.closed).code).toBe(4409);
  });

  it('answers ping with pong, sends refusals as error messages, and stops operations on complete and on close', async () => {
    const { url, stopped } = await server();
    const c = raw(url);
    await c.send({ type: 'connection_init', payload: { token: 'ok' } });
    await until(() => c.messages.length === 1); // clients wait for the ack before subscribing
    await c.send({ type: 'ping', payload: { t: 1 } });
    await c.send({ type: 'subscribe', id: 'bad', payload: { query: 'bad' } });
    await c.send({ type: 'subscribe', id: 'live1', payload: { query: 'live' } });
    await c.send({ type: 'subscribe', id: 'live2', payload: { query: 'live' } });
    await until(() => c.messages.length === 3);
    expect(c.messages).toEqual([
      { type: 'connection_ack' },
      { type: 'pong', payload: { t: 1 } },
      { id: 'bad', type: 'error', payload: [{ message: 'refused', extensions: { code: 'BAD_USER_INPUT' } }] },
    ]);
    await c.send({ type: 'complete', id: 'live1' });
    await until(() => stopped.includes('live1'));
    c.ws.close();
    await until(() => stopped.includes('live2'));
    expect(stopped).toEqual(['live1', 'live2']);
  });

  it('terminates a socket that stops answering keep-alive pings, with one timer for all sockets', async () => {
    const { url, served } = await server({}, { keepAliveMs: 100 });
    const alive = raw(url);
    const dead = raw(url);
    await Promise.all([
      alive.send({ type: 'connection_init', payload: { token: 'ok' } }),
      dead.send({ type: 'connection_init', payload: { token: 'ok' } }),
    ]);
    await until(() => served.connections() === 2);
    (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // reads nothing, so answers no ping
    await until(() => served.connections() === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('ends a connection the server closes at once: operations stopped, closed() called once, later messages ignored', async () => {
    const connections: WsConnection<State>[] = [];
    let closedCalls = 0;
    let subscribes = 0;
    const { url, served, stopped } = await server({
      connect: async (connection) => {
        connections.push(connection);
        return { user: 'u1' };
      },
      subscribe: async (_connection, id) => {
        subscribes += 1;
        return { stop: () => void stopped.push(id) };
      },
      closed: () => void (closedCalls += 1),
    });
    const client = raw(url);
    await client.send({ type: 'connection_init' });
    await until(() => client.messages.length === 1);
    await client.send({ id: 'a', type: 'subscribe', payload: { query: 'live' } });
    await until(() => subscribes === 1);
    await until(() => connections[0]!.operations.get('a') !== null);

    connections[0]!.close(4403, 'Session ended');
    expect(stopped).toEqual(['a']); // synchronously, before the client answers the close handshake
    expect(served.connections()).toBe(0);
    expect(connections[0]!.open).toBe(false);
    await connections[0]!.receive(JSON.stringify({ id: 'b', type: 'subscribe', payload: { query: 'live' } }));
    expect(subscribes).toBe(1);
    expect(await client.closed).toEqual({ code: 4403, reason: 'Session ended' });
    connections[0]!.close(4403, 'again');
    expect(closedCalls).toBe(1);
  });

  it('hands a ping payload on an accepted connection to the ping handler and answers its pong, or nothing when it returns null', async () => {
    const seen: { user: string; payload: Record<string, unknown> }[] = [];
    const { url } = await server({
      ping: async (connection, payload) => {
        seen.push({ user: connection.state.user, payload });
        return payload.accessToken === 'new' ? { expiresAt: 'later' } : null;
      },
    });
    const before = raw(url);
    await before.send({ type: 'ping', payload: { accessToken: 'new' } }); // not yet accepted: echoed
    await until(() => before.messages.length === 1);
    expect(before.messages).toEqual([{ type: 'pong', payload: { accessToken: 'new' } }]);

    const c = raw(url);
    await c.send({ type: 'connection_init', payload: { token: 'ok' } });
    await until(() => c.messages.length === 1);
    await c.send({ type: 'ping', payload: { accessToken: 'new' } });
    await c.send({ type: 'ping', payload: { accessToken: 'other' } });
    await until(() => seen.length === 2);
    await c.send({ type: 'ping' });
    await until(() => c.messages.length === 3);
    expect(c.messages).toEqual([
      { type: 'connection_ack' },
      { type: 'pong', payload: { expiresAt: 'later' } },
      { type: 'pong' },
    ]);
    expect(seen).toEqual([
      { user: 'u1', payload: { accessToken: 'new' } },
      { user: 'u1', payload: { accessToken: 'other' } },
    ]);
  });
});
