import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  MessageType,
  handleProtocols,
  parseMessage,
  type SubscribePayload,
} from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../platform/logger.js';

/** A running operation on a socket; `stop` is called when the client completes it or the socket closes. */
export interface Operation {
  stop(): void;
}

/** What the server does with each protocol step; the socket's state `S` comes from `connect`. */
export interface ProtocolHandlers<S> {
  /** `connection_init`: the connection's state when accepted, or null to refuse it (closed 4403 Forbidden, unless the handler closed it already). */
  connect(connection: WsConnection<S>, params: Record<string, unknown> | undefined): Promise<S | null>;
  /** `subscribe`: start the operation and send its results through `connection`; or refuse it with errors. */
  subscribe(
    connection: WsConnection<S> & { state: S },
    id: string,
    payload: SubscribePayload,
  ): Promise<Operation | readonly GraphQLError[]>;
  /** The socket closed (after its operations were stopped). */
  closed?(connection: WsConnection<S>): void;
  /**
   * A `ping` with a payload on an accepted connection: the `pong` payload to answer, or null to answer nothing
   * (the handler closed the socket). Without this handler a ping's payload is echoed.
   */
  ping?(
    connection: WsConnection<S> & { state: S },
    payload: Record<string, unknown>,
  ): Promise<Record<string, unknown> | null>;
}

export interface ProtocolOptions {
  log: Logger;
  /** A socket that has not sent `connection_init` by then is closed (4408). Default 3,000 ms, as graphql-ws. */
  connectionInitWaitTimeoutMs?: number;
  /** WebSocket ping interval; a socket that did not answer the previous ping is terminated. Default 12,000 ms. */
  keepAliveMs?: number;
  /** The client's address for a socket's upgrade request (default: the TCP peer). */
  clientIp?: (request: IncomingMessage) => string;
}

/** The connection a socket belongs to, so the socket's listeners can be shared functions, not closures. */
const CONNECTION = Symbol('graphql-ws connection');
type TaggedSocket<S> = WebSocket & { [CONNECTION]?: WsConnection<S> };

function onSocketMessage(this: TaggedSocket<unknown>, data: WebSocket.RawData): void {
  const connection = this[CONNECTION];
  if (!connection) return;
  connection.receive(String(data)).catch((err: unknown) => {
    connection.server.log.error({ err }, 'graphql-ws message handling failed');
    this.close(CloseCode.InternalServerError, 'Internal server error');
  });
}

function onSocketPong(this: TaggedSocket<unknown>): void {
  const connection = this[CONNECTION];
  if (connection) connection.alive = true;
}

function onSocketClose(this: TaggedSocket<unknown>): void {
  this[CONNECTION]?.closed();
}

function onSocketError(this: TaggedSocket<unknown>, err: Error): void {
  this[CONNECTION]?.server.log.debug({ err }, 'websocket error');
}

/** What every connection of one server shares (kept once, referenced from each connection). */
interface ServerContext<S> {
  handlers: ProtocolHandlers<S>;
  log: Logger;
  connections: Set<WsConnection<S>>;
}

/**
 * One socket speaking graphql-transport-ws (the protocol of graphql-ws 5/6 clients). Holds only what a
 * long-lived connection needs: the socket, the state `connect` returned, and its operations by id; its
 * socket listeners are shared functions (no closures per socket).
 */
export class WsConnection<S> {
  state: S | null = null;
  readonly operations = new Map<string, Operation | null>();
  /** Answered the last keep-alive ping. */
  alive = true;
  private initReceived = false;
  private initTimer: NodeJS.Timeout | null;
  /** Closed by the server or the client: no more messages are handled and every operation is stopped. */
  private ended = false;

  constructor(
    readonly socket: WebSocket,
    /** The client's address, read from the upgrade request (which is not kept). */
    readonly ip: string,
    readonly server: ServerContext<S>,
    initTimeoutMs: number,
  ) {
    (socket as TaggedSocket<S>)[CONNECTION] = this;
    this.initTimer = setTimeout(() => {
      this.initTimer = null;
      if (!this.initReceived)
        socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
    }, initTimeoutMs);
    socket.on('message', onSocketMessage);
    socket.on('pong', onSocketPong);
    socket.on('error', onSocketError);
    socket.once('close', onSocketClose);
  }

  get open(): boolean {
    return !this.ended && this.socket.readyState === 1;
  }

  /**
   * Closes the socket from the server side and ends the connection at once: its operations stop and it
   * leaves the server's set now, not when the client answers the close handshake.
   */
  close(code: number, reason: string): void {
    if (this.ended) return;
    this.socket.close(code, reason);
    this.closed();
  }

  /** Sends a `next` message (serialised here: for per-subscriber results; fan-out writes its own bytes). */
  next(id: string, payload: unknown): void {
    if (this.open && this.operations.has(id)) this.socket.send(JSON.stringify({ id, type: MessageType.Next, payload }));
  }

  /** Ends an operation from the server side. */
  complete(id: string): void {
    if (!this.operations.delete(id)) return;
    if (this.open) this.socket.send(JSON.stringify({ id, type: MessageType.Complete }));
  }

  private error(id: string, errors: readonly GraphQLError[]): void {
    if (!this.operations.delete(id)) return;
    if (this.open) this.socket.send(JSON.stringify({ id, type: MessageType.Error, payload: errors }));
  }

  /** Handles one message from the client. */
  async receive(data: string): Promise<void> {
    if (this.ended) return;
    let message: ReturnType<typeof parseMessage>;
    try {
      message = parseMessage(data);
    } catch {
      this.socket.close(CloseCode.BadRequest, 'Invalid message received');
      return;
    }
    switch (message.type) {
      case MessageType.ConnectionInit: {
        if (this.initReceived) {
          this.socket.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
          return;
        }
        this.initReceived = true;
        if (this.initTimer) clearTimeout(this.initTimer);
        this.initTimer = null;
        const state = await this.server.handlers.connect(
          this,
          (message.payload ?? undefined) as Record<string, unknown> | undefined,
        );
        if (state === null) {
          this.close(CloseCode.Forbidden, 'Forbidden');
          return;
        }
        this.state = state;
        if (this.ended) {
          this.server.handlers.closed?.(this); // closed while connecting: let the handlers forget the new state
          return;
        }
        if (this.open) this.socket.send('{"type":"connection_ack"}');
        return;
      }
      case MessageType.Ping: {
        const ping = this.server.handlers.ping;
        const payload =
          message.payload && ping && this.state !== null
            ? await ping(this as WsConnection<S> & { state: S }, message.payload)
            : message.payload;
        if (payload === null) return;
        if (this.open)
          this.socket.send(JSON.stringify(payload ? { type: MessageType.Pong, payload } : { type: MessageType.Pong }));
        return;
      }
      case MessageType.Pong:
        return;
      case MessageType.Subscribe: {
        if (this.state === null) {
          this.socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return;
        }
        const { id, payload } = message;
        if (this.operations.has(id)) {
          this.socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
          return;
        }
        this.operations.set(id, null); // reserved: a `complete` before the operation starts cancels it
        const started = await this.server.handlers.subscribe(this as WsConnection<S> & { state: S }, id, payload);
        if (isErrors(started)) {
          this.error(id, started);
          return;
        }
        if (!this.operations.has(id) || !this.open) {
          started.stop(); // completed by the client, or closed, while starting
          return;
        }
        if (this.operations.get(id) === null) this.operations.set(id, started);
        return;
      }
      case MessageType.Complete: {
        const operation = this.operations.get(message.id);
        this.operations.delete(message.id);
        operation?.stop();
        return;
      }
      default:
        this.socket.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
    }
  }

  /** The socket closed: stop every operation. */
  closed(): void {
    if (this.ended) return;
    this.ended = true;
    this.server.connections.delete(this);
    if (this.initTimer) clearTimeout(this.initTimer);
    const operations = [...this.operations.values()];
    this.operations.clear();
    for (const operation of operations) {
      try {
        operation?.stop();
      } catch (err) {
        this.server.log.error({ err }, 'stopping an operation failed');
      }
    }
    this.server.handlers.closed?.(this);
  }
}

function isErrors(value: Operation | readonly GraphQLError[]): value is readonly GraphQLError[] {
  return Array.isArray(value);
}

/**
 * Serves graphql-transport-ws on a `ws` server. Unlike graphql-ws's `useServer`, it keeps no per-socket
 * timers (one keep-alive sweep for all sockets), no per-operation closures beyond what the handlers keep,
 * and lets handlers write pre-serialised frames, so 10,000 idle subscribers cost little memory.
 */
export function serveGraphQLWs<S>(
  wss: WebSocketServer,
  handlers: ProtocolHandlers<S>,
  options: ProtocolOptions,
): { connections(): number; close(): Promise<void> } {
  const connections = new Set<WsConnection<S>>();
  const context: ServerContext<S> = { handlers, log: options.log, connections };
  wss.options.handleProtocols = handleProtocols;
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      socket.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
      return;
    }
    connections.add(
      new WsConnection(
        socket,
        options.clientIp?.(request) ?? request.socket.remoteAddress ?? 'unknown',
        context,
        options.connectionInitWaitTimeoutMs ?? 3_000,
      ),
    );
  });
  const keepAlive = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      if (connection.open) connection.socket.ping();
    }
  }, options.keepAliveMs ?? 12_000);
  keepAlive.unref();
  return {
    connections: () => connections.size,
    async close() {
      clearInterval(keepAlive);
      for (const connection of connections) connection.socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
