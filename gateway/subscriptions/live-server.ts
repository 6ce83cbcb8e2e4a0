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
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Viewer } from '../../platform/auth/viewer.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import { DomainError } from '../../platform/errors.js';
import type { GatewayContext } from '../context.js';
import { guardOperation, type GuardOptions } from '../guard-plugin.js';
import { BoundedChannel } from './channel.js';
import type { EventHub } from './event-hub.js';
import { buildFollowUp } from './follow-up.js';
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
}

interface SocketExtra extends Record<PropertyKey, unknown> {
  socket: WebSocket;
  request: IncomingMessage;
  viewer?: Viewer;
  expiryTimer?: NodeJS.Timeout;
  subscriptions?: number;
}

export const CLOSE_TOKEN_EXPIRED = 4401;
export const CLOSE_SLOW_CONSUMER = 4408;

/**
 * graphql-ws on the gateway's port and path. Auth happens in connection_init; each subscription is checked
 * by the same limits and shield rules as HTTP; every matching NATS event becomes a follow-up query run
 * through the gateway with the subscriber's selection. Identical follow-ups for one event (same viewer
 * scope, document and variables) execute once and are shared.
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
  /** Which socket a subscription's context belongs to (to close slow consumers). */
  const socketByCtx = new WeakMap<GatewayContext, SocketExtra>();

  const server = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      schema: () => options.schema(),
      onConnect: async (ctx) => {
        try {
          const { viewer, expiresAt } = await options.authenticate(ctx.connectionParams, ctx.extra.request);
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
      onSubscribe: async (ctx, _id, payload) => {
        const viewer = ctx.extra.viewer!;
        const schema = options.schema();
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: 2000 });
        } catch (err) {
          return [new GraphQLError((err as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = validate(schema, document);
        if (errors.length) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Operation not found', { extensions: { code: 'BAD_USER_INPUT' } })];
        if ((ctx.extra.subscriptions ?? 0) >= (options.maxSubscriptionsPerSocket ?? 100)) {
          return [new GraphQLError('Too many subscriptions on this socket', { extensions: { code: 'RATE_LIMITED' } })];
        }
        const contextValue = newContext(viewer);
        socketByCtx.set(contextValue, ctx.extra);
        const variables = payload.variables ?? {};
        const denied = await guardOperation(options.guard, schema, document, operation, variables, contextValue);
        if (denied) return [denied];
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
        const socketExtra = socketOf(ctx);
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
              if (!live.matches(event, ctx.viewer, fieldArgs)) return;
              const followUp = buildFollowUp(args.document, operation, root, live.followUp(event, ctx.viewer, fieldArgs), variables);
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
  function newContext(viewer: Viewer): GatewayContext {
    return { viewer, requestId: newId('req'), _shield: { cache: {} } };
  }
  function socketOf(ctx: GatewayContext): SocketExtra | undefined {
    return socketByCtx.get(ctx);
  }
  return {
    sockets: () => wss.clients.size,
    async close() {
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
