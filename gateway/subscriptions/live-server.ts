import type { IncomingMessage, Server } from 'node:http';
import {
  getArgumentValues,
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { Counter, Gauge } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import { ANONYMOUS, type Viewer } from '../../platform/auth/viewer.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/http/metrics.js';
import { DomainError, toGraphQLError } from '../../platform/errors.js';
import type { GatewayContext } from '../context.js';
import { guardOperation, type GuardOptions } from '../guard-plugin.js';
import { BoundedChannel } from './channel.js';
import type { EventHub } from './event-hub.js';
import { FanOut, frameStart } from './fan-out.js';
import { buildFollowUp, type FollowUpQuery } from './follow-up.js';
import type { LiveField } from './live-fields.js';

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
  authenticate(connectionParams: Record<string, unknown> | undefined, req: IncomingMessage): Promise<{ viewer: Viewer; expiresAt: Date | null }>;
  maxQueuePerSubscription?: number;
  maxSubscriptionsPerSocket?: number;
  /** Unsent bytes a socket may hold before it is dropped as a slow consumer (fan-out fields). Default 128 KiB. */
  maxBufferedBytesPerSocket?: number;
  /** Adds live_* counters and gauges to the process metrics. */
  metrics?: Metrics;
}

interface SocketExtra extends Record<PropertyKey, unknown> {
  socket: WebSocket;
  /** The upgrade request: read once for authentication, then released (it is a few KB per socket). */
  request: IncomingMessage | undefined;
  viewer?: Viewer;
  expiryTimer?: NodeJS.Timeout;
  subscriptions?: number;
}

/** Where a subscription's context came from: its socket and its graphql-ws id. */
interface SubscriptionOrigin {
  extra: SocketExtra;
  id: string;
  /** Fan-out fields: the topics, checked when the subscription was accepted. */
  topics?: string[];
}

/** A parsed and validated subscription document, shared by every socket that sends the same text. */
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
 * graphql-ws on the gateway's port and path. Auth happens in connection_init; each subscription is checked
 * by the same limits and shield rules as HTTP; every matching NATS event becomes a follow-up query run
 * through the gateway with the subscriber's selection. Identical follow-ups for one event (same viewer
 * scope, document and variables) execute once and are shared.
 *
 * Fields with `fanOut` (public data such as prices) are served by topic: subscriptions with the same
 * selection and variables form one group, and per event the group's follow-up runs once, is serialised
 * once, and the same bytes are written to every member's socket behind its own frame start. The follow-up
 * runs as an anonymous viewer when the shield rules let an anonymous viewer run it (so no viewer's data can
 * be in it); otherwise the group is per viewer. A socket that does not read its frames is dropped.
 */
export function startLiveServer(options: LiveServerOptions): { close(): Promise<void>; sockets(): number } {
  const { log, hub, fields } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
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
  /** Which socket and subscription id a subscription's context belongs to. */
  const originByCtx = new WeakMap<GatewayContext, SubscriptionOrigin>();
  const maxBufferedBytes = options.maxBufferedBytesPerSocket ?? 128 * 1024;
  const live = liveMetrics(options.metrics);

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

  /** One fan-out per fan-out field, subscribed to its subjects while it has members. */
  const fanOuts = new Map<string, FanOut>();
  for (const field of fields) {
    const spec = field.fanOut;
    if (!spec) continue;
    let unlisten: (() => void)[] = [];
    const fanOut: FanOut = new FanOut({
      log,
      maxBufferedBytes,
      onSlowConsumer: (socket) => {
        live.slowConsumers.inc();
        log.warn({ field: field.name, buffered: socket.bufferedAmount }, 'slow subscriber dropped');
        socket.close(CLOSE_SLOW_CONSUMER, 'Slow consumer');
      },
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
      onFrames: (count) => live.frames.inc({ field: field.name }, count),
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
      const keptVariables = (query.document.definitions[0] as OperationDefinitionNode).variableDefinitions!.map((d) => d.variable.name.value).filter((v) => !v.startsWith('__live_'));
      template = { query, keptVariables };
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

  const server = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      schema: () => options.schema(),
      onConnect: async (ctx) => {
        try {
          const request = ctx.extra.request;
          // graphql-ws keeps `extra` for the socket's life; the upgrade request (headers and all) is not needed after this
          (ctx.extra as { request: IncomingMessage | undefined }).request = undefined;
          if (!request) return false;
          const { viewer, expiresAt } = await options.authenticate(ctx.connectionParams, request);
          if (!viewer.userId) return false;
          ctx.extra.viewer = viewer;
          ctx.extra.subscriptions = 0;
          if (expiresAt) {
            const ms = Math.max(0, expiresAt.getTime() - Date.now());
            ctx.extra.expiryTimer = setTimeout(() => ctx.extra.socket.close(CLOSE_TOKEN_EXPIRED, 'Access token expired'), Math.min(ms, 2 ** 31 - 1));
            ctx.extra.expiryTimer.unref();
          }
          return true;
        } catch (err) {
          if (!(err instanceof DomainError)) log.error({ err }, 'websocket authentication failed unexpectedly');
          return false;
        }
      },
      onDisconnect: (ctx) => clearTimeout(ctx.extra.expiryTimer),
      onClose: (ctx) => clearTimeout(ctx.extra.expiryTimer),
      onSubscribe: async (ctx, id, payload) => {
        const viewer = ctx.extra.viewer!;
        const schema = options.schema();
        const prepared = prepare(schema, payload.query);
        if ('errors' in prepared) return [...prepared.errors];
        const document = prepared.document;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Operation not found', { extensions: { code: 'BAD_USER_INPUT' } })];
        if ((ctx.extra.subscriptions ?? 0) >= (options.maxSubscriptionsPerSocket ?? 100)) {
          return [new GraphQLError('Too many subscriptions on this socket', { extensions: { code: 'RATE_LIMITED' } })];
        }
        const contextValue = newContext(viewer);
        const origin: SubscriptionOrigin = { extra: ctx.extra, id };
        originByCtx.set(contextValue, origin);
        const variables = payload.variables ?? {};
        const denied = await guardOperation(options.guard, schema, document, operation, variables, contextValue);
        if (denied) return [denied];
        const topics = fanOutTopics(schema, operation, variables);
        if (topics instanceof GraphQLError) return [topics];
        if (topics) origin.topics = topics;
        const args: ExecutionArgs = { schema, document, operationName: payload.operationName, variableValues: variables, contextValue };
        return args;
      },
      execute: (args) => options.execute(args.document, (args.variableValues ?? {}) as Record<string, unknown>, args.contextValue as GatewayContext),
      subscribe: (args) => {
        const ctx = args.contextValue as GatewayContext;
        const operation = getOperationAST(args.document, args.operationName)!;
        const root = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && !s.name.value.startsWith('__'));
        const live = root ? byName.get(root.name.value) : undefined;
        const fieldDef = root ? args.schema.getSubscriptionType()?.getFields()[root.name.value] : undefined;
        if (!root || !live || !fieldDef) return { errors: [new GraphQLError('Unknown subscription field')] };
        const variables = (args.variableValues ?? {}) as Record<string, unknown>;
        const fieldArgs = getArgumentValues(fieldDef, root, variables);
        const origin = originByCtx.get(ctx);
        const fanOut = fanOuts.get(live.name);
        if (live.fanOut && fanOut && origin) return subscribeFanOut(args.schema, args.document, operation, root, live, fanOut, fieldArgs, variables, ctx, origin);
        if (!live.matches || !live.followUp) return { errors: [new GraphQLError('Unknown subscription field')] };
        const { matches, followUp: followUpOf } = live;
        const socketExtra = origin?.extra;
        const unsubscribers: (() => void)[] = [];
        const channel = new BoundedChannel<ExecutionResult>(
          options.maxQueuePerSubscription ?? 64,
          () => {
            log.warn({ viewer: ctx.viewer.userId, field: live.name }, 'slow subscriber dropped');
            socketExtra?.socket.close(CLOSE_SLOW_CONSUMER, 'Slow consumer');
          },
          () => {
            unsubscribers.forEach((u) => u());
            if (socketExtra) socketExtra.subscriptions = Math.max(0, (socketExtra.subscriptions ?? 1) - 1);
          },
        );
        if (socketExtra) socketExtra.subscriptions = (socketExtra.subscriptions ?? 0) + 1;
        for (const subject of live.subjects) {
          unsubscribers.push(
            hub.listen(subject, (event) => {
              if (!matches(event, ctx.viewer, fieldArgs)) return;
              const followUp = buildFollowUp(args.document, operation, root, followUpOf(event, ctx.viewer, fieldArgs), variables);
              const scope = live.public ? 'public' : ctx.viewer.userId;
              const key = `${event.id}|${scope}|${followUp.key}|${JSON.stringify(followUp.variables)}`;
              runShared(key, () => options.execute(followUp.document, followUp.variables, newContext(ctx.viewer)))
                .then((result) => channel.push({ data: result.data ? { [followUp.responseKey]: result.data[followUp.responseKey] ?? null } : null, errors: result.errors }))
                .catch((err: unknown) => log.error({ err, field: live.name }, 'live follow-up failed'));
            }),
          );
        }
        return channel;
      },
    },
    wss,
  );
  async function subscribeFanOut(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    root: FieldNode,
    field: LiveField,
    fanOut: FanOut,
    fieldArgs: Record<string, unknown>,
    variables: Record<string, unknown>,
    ctx: GatewayContext,
    origin: SubscriptionOrigin,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    let topics = origin.topics;
    if (!topics) {
      try {
        topics = field.fanOut!.topics(fieldArgs);
      } catch (err) {
        if (err instanceof DomainError) return { errors: [toGraphQLError(err)] };
        throw err;
      }
    }
    const template = templateFor(document, operation, root, field);
    const kept: Record<string, unknown> = {};
    for (const name of template.keptVariables) if (name in variables) kept[name] = variables[name];
    const shape = `${field.name}\n${template.query.key}\n${JSON.stringify(kept)}`;
    const open = await isPublic(schema, template, shape, kept);
    const viewer = open ? ANONYMOUS : ctx.viewer;
    const { extra, id } = origin;
    const remove = fanOut.add(
      {
        key: `${open ? 'public' : `viewer:${ctx.viewer.userId}`}\n${shape}`,
        responseKey: template.query.responseKey,
        execute: (eventVariables) => options.execute(template.query.document, { ...kept, ...eventVariables }, newContext(viewer)),
      },
      { socket: extra.socket, frameStart: frameStart(id), topics },
    );
    extra.subscriptions = (extra.subscriptions ?? 0) + 1;
    return new HeldSubscription(() => {
      remove();
      extra.subscriptions = Math.max(0, (extra.subscriptions ?? 1) - 1);
    });
  }

  /** For a fan-out subscription, its topics (or why its arguments are refused); null for other operations. */
  function fanOutTopics(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): string[] | GraphQLError | null {
    if (operation.operation !== 'subscription') return null;
    const root = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && !s.name.value.startsWith('__'));
    const field = root ? byName.get(root.name.value) : undefined;
    const definition = root ? schema.getSubscriptionType()?.getFields()[root.name.value] : undefined;
    if (!root || !field?.fanOut || !definition) return null;
    try {
      return field.fanOut.topics(getArgumentValues(definition, root, variables));
    } catch (err) {
      if (err instanceof DomainError) return toGraphQLError(err);
      if (err instanceof GraphQLError) return err;
      throw err;
    }
  }

  function newContext(viewer: Viewer): GatewayContext {
    return { viewer, requestId: newId('req'), _shield: { cache: {} } };
  }
  const socketGauge = live.sockets;
  socketGauge?.setCollector(() => wss.clients.size);
  return {
    sockets: () => wss.clients.size,
    async close() {
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function prepareDocument(schema: GraphQLSchema, query: string): PreparedDocument {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: 2000, noLocation: false });
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
 * What graphql-ws iterates for a fan-out subscription: it never yields (frames are written to the socket by
 * the fan-out) and ends when graphql-ws returns it (client `complete`, socket closed).
 */
class HeldSubscription implements AsyncIterableIterator<ExecutionResult> {
  private ended = false;
  private wake: ((r: IteratorResult<ExecutionResult>) => void) | null = null;

  constructor(private readonly onEnd: () => void) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.wake = resolve));
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.ended) {
      this.ended = true;
      this.onEnd();
      this.wake?.({ value: undefined, done: true });
      this.wake = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }
}

interface LiveMetrics {
  executions: { inc(labels: { field: string }): void };
  frames: { inc(labels: { field: string }, value: number): void };
  slowConsumers: { inc(): void };
  sockets: { setCollector(read: () => number): void } | null;
}

function liveMetrics(metrics: Metrics | undefined): LiveMetrics {
  if (!metrics) {
    return { executions: { inc: () => undefined }, frames: { inc: () => undefined }, slowConsumers: { inc: () => undefined }, sockets: null };
  }
  const registers = [metrics.registry];
  const executions = new Counter({ name: 'live_fanout_executions_total', help: 'Follow-up executions of fan-out subscriptions (one per group and topic per event)', labelNames: ['field'], registers });
  const frames = new Counter({ name: 'live_fanout_frames_total', help: 'Frames written to sockets by fan-out', labelNames: ['field'], registers });
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
    slowConsumers: { inc: () => slow.inc() },
    sockets: { setCollector: (r) => (read = r) },
  };
}
