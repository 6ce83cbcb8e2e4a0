import type { Server } from 'node:http';
import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { Counter, Gauge, Histogram } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import { ANONYMOUS, type Viewer } from '../../platform/auth/viewer.js';
import { DomainError, toGraphQLError } from '../../platform/errors.js';
import type { Metrics } from '../../platform/http/metrics.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import type { GatewayContext } from '../context.js';
import { guardOperation, type GuardOptions } from '../guard-plugin.js';
import type { EventHub } from './event-hub.js';
import { FanOut, frameStart } from './fan-out.js';
import { buildFollowUp, type FollowUpQuery } from './follow-up.js';
import type { LiveField } from './live-fields.js';
import { serveGraphQLWs, type Operation, type WsConnection } from './ws-protocol.js';

export interface LiveServerOptions {
  httpServer: Server;
  path: string;
  log: Logger;
  hub: EventHub;
  fields: LiveField[];
  guard: GuardOptions;
  schema(): GraphQLSchema;
  /** Runs an operation through the gateway (its plugins, planner and subgraphs). */
  execute(document: DocumentNode, variables: Record<string, unknown>, ctx: GatewayContext): Promise<ExecutionResult>;
  /** connection_init: the viewer of the params' access token (`ip` is the client's address, for rate limits). */
  authenticate(connectionParams: Record<string, unknown> | undefined, ip: string): Promise<{ viewer: Viewer; expiresAt: Date | null }>;
  maxSubscriptionsPerSocket?: number;
  /** Unsent bytes a socket may hold before it is closed as a slow consumer. Default 128 KiB. */
  maxBufferedBytesPerSocket?: number;
  /** graphql-ws keep-alive ping interval. Default 12 s. */
  keepAliveMs?: number;
  /** Adds live_* counters and gauges to the process metrics. */
  metrics?: Metrics;
}

/** What the gateway keeps per socket once `connection_init` is accepted. */
interface SocketState {
  viewer: Viewer;
}

type Connection = WsConnection<SocketState> & { state: SocketState };

/** A parsed and validated document, shared by every socket that sends the same text. */
type PreparedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/** The follow-up of a fan-out subscription, shared by every subscription with the same document. */
interface FollowUpTemplate {
  query: FollowUpQuery;
  /** The subscriber's variables the follow-up keeps (those its selection uses). */
  keptVariables: string[];
}

const MAX_CACHED_DOCUMENTS = 1000;

export const CLOSE_TOKEN_EXPIRED = 4401;
export const CLOSE_SLOW_CONSUMER = 4408;

/**
 * graphql-ws (protocol graphql-transport-ws) on the gateway's port and path. Auth happens in connection_init;
 * each operation is checked by the same limits and shield rules as HTTP; every matching NATS event becomes a
 * follow-up query run through the gateway with the subscriber's selection. Identical follow-ups for one event
 * (same viewer scope, document and variables) execute once and are shared.
 *
 * Fields with `fanOut` (public data such as prices) are served by topic: subscriptions with the same selection
 * and variables form one group, and per event the group's follow-up runs once, is serialised once, and the same
 * bytes are written to every member's socket behind its own frame start. The follow-up runs as an anonymous
 * viewer when the shield rules let an anonymous viewer run it (so no viewer's data can be in it); otherwise the
 * group is per viewer. Any socket holding more unsent bytes than the limit is closed as a slow consumer.
 */
export function startLiveServer(options: LiveServerOptions): { close(): Promise<void>; sockets(): number } {
  const { log, hub, fields } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  options.httpServer.on('upgrade', (req, socket, head) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname !== options.path) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const inflight = new Map<string, Promise<ExecutionResult>>();
  const runShared = (key: string, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> => {
    let promise = inflight.get(key);
    if (!promise) {
      promise = run().finally(() => setImmediate(() => inflight.delete(key)));
      inflight.set(key, promise);
    }
    return promise;
  };
  const byName = new Map(fields.map((f) => [f.name, f] as const));
  const maxBufferedBytes = options.maxBufferedBytesPerSocket ?? 128 * 1024;
  const maxSubscriptions = options.maxSubscriptionsPerSocket ?? 100;
  const live = liveMetrics(options.metrics);
  const expiries = new ExpirySweeper();

  const documents = new WeakMap<GraphQLSchema, Map<string, PreparedDocument>>();
  const prepare = (schema: GraphQLSchema, query: string): PreparedDocument => {
    let cache = documents.get(schema);
    if (!cache) {
      cache = new Map();
      documents.set(schema, cache);
    }
    let prepared = cache.get(query);
    if (!prepared) {
      prepared = prepareDocument(schema, query);
      if (cache.size >= MAX_CACHED_DOCUMENTS) cache.clear();
      cache.set(query, prepared);
    }
    return prepared;
  };

  /** Closes a socket that does not read what it is sent (counted and logged with `context`). */
  const closeSlow = (socket: WebSocket, context: { viewer?: string | null; field: string }): void => {
    live.slowConsumers.inc();
    log.warn({ ...context, buffered: socket.bufferedAmount }, 'slow subscriber dropped');
    socket.close(CLOSE_SLOW_CONSUMER, 'Slow consumer');
  };

  /** Closes a socket holding more unsent bytes than the limit; true when it did (so nothing more is written). */
  const dropIfSlow = (connection: WsConnection<SocketState>, field: string): boolean => {
    if (connection.socket.bufferedAmount <= maxBufferedBytes) return false;
    closeSlow(connection.socket, { viewer: connection.state?.viewer.userId, field });
    return true;
  };

  /** One fan-out per fan-out field, subscribed to its subjects while it has members. */
  const fanOuts = new Map<string, FanOut>();
  for (const field of fields) {
    const spec = field.fanOut;
    if (!spec) continue;
    let unlisten: (() => void)[] = [];
    const fanOut: FanOut = new FanOut({
      log,
      maxBufferedBytes,
      onSlowConsumer: (socket) => closeSlow(socket, { field: field.name }),
      onActive: (active) => {
        unlisten.forEach((u) => u());
        unlisten = active
          ? field.subjects.map((subject) =>
              hub.listen(subject, (event) => {
                const targets = spec.targets(event);
                if (targets.length) fanOut.publish(targets.map((t) => ({ topic: t.topic, variables: liveVariables(t.args) })));
              }),
            )
          : [];
      },
      onExecuted: () => live.executions.inc({ field: field.name }),
      onDelivered: (count, seconds) => {
        live.frames.inc({ field: field.name }, count);
        live.delivery.observe({ field: field.name }, seconds);
      },
    });
    fanOuts.set(field.name, fanOut);
  }

  const templates = new WeakMap<DocumentNode, Map<string, FollowUpTemplate>>();
  const templateFor = (document: DocumentNode, operation: OperationDefinitionNode, root: FieldNode, field: LiveField): FollowUpTemplate => {
    let byOperation = templates.get(document);
    if (!byOperation) {
      byOperation = new Map();
      templates.set(document, byOperation);
    }
    const name = operation.name?.value ?? '';
    let template = byOperation.get(name);
    if (!template) {
      const args = Object.fromEntries(Object.entries(field.fanOut!.followUp.args).map(([arg, type]) => [arg, { type, value: null }]));
      const query = buildFollowUp(document, operation, root, { field: field.fanOut!.followUp.field, args }, {});
      const definitions = (query.document.definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];
      template = { query, keptVariables: definitions.map((d) => d.variable.name.value).filter((v) => !v.startsWith('__live_')) };
      byOperation.set(name, template);
    }
    return template;
  };

  /** Whether an anonymous viewer may run this follow-up: then its result holds no viewer's data and is shared by all. */
  const publicFollowUps = new Map<string, Promise<boolean>>();
  const isPublic = (schema: GraphQLSchema, template: FollowUpTemplate, key: string, variables: Record<string, unknown>): Promise<boolean> => {
    let decision = publicFollowUps.get(key);
    if (!decision) {
      const operation = template.query.document.definitions[0] as OperationDefinitionNode;
      decision = guardOperation(options.guard, schema, template.query.document, operation, variables, newContext(ANONYMOUS)).then((denied) => denied === null);
      if (publicFollowUps.size >= MAX_CACHED_DOCUMENTS) publicFollowUps.clear();
      publicFollowUps.set(key, decision);
    }
    return decision;
  };

  const server = serveGraphQLWs<SocketState>(
    wss,
    {
      connect: async (connection, params) => {
        try {
          const { viewer, expiresAt } = await options.authenticate(params, connection.ip);
          if (!viewer.userId) return null;
          if (expiresAt) expiries.add(connection, expiresAt.getTime());
          return { viewer };
        } catch (err) {
          if (!(err instanceof DomainError)) log.error({ err }, 'websocket authentication failed unexpectedly');
          return null;
        }
      },
      subscribe: (connection, id, payload) => start(connection, id, payload),
      closed: (connection) => expiries.remove(connection),
    },
    { log, keepAliveMs: options.keepAliveMs },
  );

  async function start(connection: Connection, id: string, payload: SubscribePayload): Promise<Operation | readonly GraphQLError[]> {
    const { viewer } = connection.state;
    const schema = options.schema();
    const prepared = prepare(schema, payload.query);
    if ('errors' in prepared) return prepared.errors;
    const document = prepared.document;
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [new GraphQLError('Operation not found', { extensions: { code: 'BAD_USER_INPUT' } })];
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors) return coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } }));
    const variables = coerced.coerced;
    const ctx = newContext(viewer);
    const denied = await guardOperation(options.guard, schema, document, operation, payload.variables ?? {}, ctx);
    if (denied) return [denied];

    if (operation.operation !== 'subscription') return runOnce(connection, id, document, payload.variables ?? {}, ctx);

    // the operations map holds this one too (reserved while it starts)
    if (connection.operations.size > maxSubscriptions) {
      return [new GraphQLError('Too many subscriptions on this socket', { extensions: { code: 'RATE_LIMITED' } })];
    }
    const root = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && !s.name.value.startsWith('__'));
    const field = root ? byName.get(root.name.value) : undefined;
    const definition = root ? schema.getSubscriptionType()?.getFields()[root.name.value] : undefined;
    if (!root || !field || !definition) return [new GraphQLError('Unknown subscription field')];
    const fieldArgs = getArgumentValues(definition, root, variables);
    const fanOut = fanOuts.get(field.name);
    return field.fanOut && fanOut ? startFanOut(connection, id, schema, document, operation, root, field, fanOut, fieldArgs, variables) : startFollowUps(connection, id, document, operation, root, field, fieldArgs, variables);
  }

  /** A query or mutation over the socket: once, through the gateway, then complete. */
  function runOnce(connection: Connection, id: string, document: DocumentNode, variables: Record<string, unknown>, ctx: GatewayContext): Operation {
    let stopped = false;
    options
      .execute(document, variables, ctx)
      .catch((err: unknown): ExecutionResult => {
        log.error({ err }, 'operation over websocket failed');
        return { errors: [new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] };
      })
      .then((result) => {
        if (stopped) return;
        connection.next(id, result);
        connection.complete(id);
      });
    return { stop: () => (stopped = true) };
  }

  /** A per-viewer live field: each matching event runs the subscriber's follow-up (shared when identical). */
  function startFollowUps(
    connection: Connection,
    id: string,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    root: FieldNode,
    field: LiveField,
    fieldArgs: Record<string, unknown>,
    variables: Record<string, unknown>,
  ): Operation | readonly GraphQLError[] {
    const { matches, followUp: followUpOf } = field;
    if (!matches || !followUpOf) return [new GraphQLError('Unknown subscription field')];
    const { viewer } = connection.state;
    let stopped = false;
    const unsubscribers = field.subjects.map((subject) =>
      hub.listen(subject, (event) => {
        if (!matches(event, viewer, fieldArgs)) return;
        const followUp = buildFollowUp(document, operation, root, followUpOf(event, viewer, fieldArgs), variables);
        const key = `${event.id}|${viewer.userId}|${followUp.key}|${JSON.stringify(followUp.variables)}`;
        runShared(key, () => options.execute(followUp.document, followUp.variables, newContext(viewer)))
          .then((result) => {
            if (stopped || dropIfSlow(connection, field.name)) return;
            connection.next(id, { data: result.data ? { [followUp.responseKey]: result.data[followUp.responseKey] ?? null } : null, ...(result.errors ? { errors: result.errors } : {}) });
          })
          .catch((err: unknown) => log.error({ err, field: field.name }, 'live follow-up failed'));
      }),
    );
    return {
      stop: () => {
        stopped = true;
        unsubscribers.forEach((u) => u());
      },
    };
  }

  /** A public live field: the subscription joins its group in the field's fan-out. */
  async function startFanOut(
    connection: Connection,
    id: string,
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    root: FieldNode,
    field: LiveField,
    fanOut: FanOut,
    fieldArgs: Record<string, unknown>,
    variables: Record<string, unknown>,
  ): Promise<Operation | readonly GraphQLError[]> {
    let topics: string[];
    try {
      topics = field.fanOut!.topics(fieldArgs);
    } catch (err) {
      if (err instanceof DomainError) return [toGraphQLError(err)];
      throw err;
    }
    const template = templateFor(document, operation, root, field);
    const kept: Record<string, unknown> = {};
    for (const name of template.keptVariables) if (name in variables) kept[name] = variables[name];
    const shape = `${field.name}\n${template.query.key}\n${JSON.stringify(kept)}`;
    const open = await isPublic(schema, template, shape, kept);
    const viewer = open ? ANONYMOUS : connection.state.viewer;
    return fanOut.add(
      {
        key: `${open ? 'public' : `viewer:${viewer.userId}`}\n${shape}`,
        responseKey: template.query.responseKey,
        execute: (eventVariables) => options.execute(template.query.document, { ...kept, ...eventVariables }, newContext(viewer)),
      },
      { socket: connection.socket, frameStart: frameStart(id), topics },
    );
  }

  function newContext(viewer: Viewer): GatewayContext {
    return { viewer, requestId: newId('req'), _shield: { cache: {} } };
  }

  live.sockets?.setCollector(() => server.connections());
  expiries.start((connection) => connection.socket.close(CLOSE_TOKEN_EXPIRED, 'Access token expired'));
  return {
    sockets: () => server.connections(),
    async close() {
      expiries.stop();
      await server.close();
    },
  };
}

function prepareDocument(schema: GraphQLSchema, query: string): PreparedDocument {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: 2000 });
  } catch (err) {
    return { errors: [new GraphQLError((err as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
  }
  const errors = validate(schema, document);
  if (errors.length) return { errors: errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) };
  return { document };
}

/** The follow-up's event variables: `__live_<arg>` for each argument. */
function liveVariables(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) out[`__live_${name}`] = value;
  return out;
}

/**
 * Closes sockets whose access token expired: one timer for all sockets (a per-socket timer costs memory at
 * 10,000 sockets), checking once a second the buckets of the seconds that have passed.
 */
class ExpirySweeper {
  private readonly bySecond = new Map<number, Set<WsConnection<SocketState>>>();
  private readonly secondOf = new WeakMap<WsConnection<SocketState>, number>();
  private timer: NodeJS.Timeout | null = null;
  private onExpired: (connection: WsConnection<SocketState>) => void = () => undefined;

  add(connection: WsConnection<SocketState>, expiresAtMs: number): void {
    const second = Math.ceil(expiresAtMs / 1000);
    let bucket = this.bySecond.get(second);
    if (!bucket) {
      bucket = new Set();
      this.bySecond.set(second, bucket);
    }
    bucket.add(connection);
    this.secondOf.set(connection, second);
  }

  remove(connection: WsConnection<SocketState>): void {
    const second = this.secondOf.get(connection);
    if (second === undefined) return;
    const bucket = this.bySecond.get(second);
    bucket?.delete(connection);
    if (bucket && bucket.size === 0) this.bySecond.delete(second);
  }

  start(onExpired: (connection: WsConnection<SocketState>) => void): void {
    this.onExpired = onExpired;
    this.timer = setInterval(() => this.sweep(Date.now()), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private sweep(now: number): void {
    const current = Math.floor(now / 1000);
    for (const [second, bucket] of this.bySecond) {
      if (second > current) continue;
      this.bySecond.delete(second);
      for (const connection of bucket) this.onExpired(connection);
    }
  }
}

interface LiveMetrics {
  executions: { inc(labels: { field: string }): void };
  frames: { inc(labels: { field: string }, value: number): void };
  delivery: { observe(labels: { field: string }, seconds: number): void };
  slowConsumers: { inc(): void };
  sockets: { setCollector(read: () => number): void } | null;
}

function liveMetrics(metrics: Metrics | undefined): LiveMetrics {
  if (!metrics) {
    const none = () => undefined;
    return { executions: { inc: none }, frames: { inc: none }, delivery: { observe: none }, slowConsumers: { inc: none }, sockets: null };
  }
  const registers = [metrics.registry];
  const executions = new Counter({ name: 'live_fanout_executions_total', help: 'Follow-up executions of fan-out subscriptions (one per group and topic per event)', labelNames: ['field'], registers });
  const frames = new Counter({ name: 'live_fanout_frames_total', help: 'Frames written to sockets by fan-out', labelNames: ['field'], registers });
  const delivery = new Histogram({ name: 'live_fanout_delivery_seconds', help: 'Time to write one fan-out result to every member socket', labelNames: ['field'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1], registers });
  const slow = new Counter({ name: 'live_slow_consumers_total', help: 'Sockets closed because they did not read their frames', registers });
  let read: () => number = () => 0;
  new Gauge({
    name: 'live_sockets',
    help: 'Open graphql-ws sockets',
    registers,
    collect() {
      this.set(read());
    },
  });
  return {
    executions: { inc: (labels) => executions.inc(labels) },
    frames: { inc: (labels, value) => frames.inc(labels, value) },
    delivery: { observe: (labels, seconds) => delivery.observe(labels, seconds) },
    slowConsumers: { inc: () => slow.inc() },
    sockets: { setCollector: (r) => (read = r) },
  };
}
