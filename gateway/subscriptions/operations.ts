import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { Viewer } from '../../platform/auth/viewer.js';
import type { EventEnvelope } from '../../platform/bus/envelope.js';
import { DomainError, ErrorCode, toGraphQLError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { DocumentCache } from './documents.js';
import type { EventHub } from './event-hub.js';
import type { EventLog } from './event-log.js';
import type { FanOutFields } from './fan-out-fields.js';
import { buildFollowUp } from './follow-up.js';
import type { LiveField } from './live-fields.js';
import type { LiveConnection, SocketState } from './socket-auth.js';
import type { Operation } from './ws-protocol.js';
import { inSpan } from '../../platform/telemetry/spans.js';

export interface OperationRunnerOptions {
  log: Logger;
  hub: EventHub;
  fields: LiveField[];
  documents: DocumentCache;
  fanOuts: FanOutFields;
  /** The stored events a subscription resumed with `after:` replays; null when resuming is off. */
  events: EventLog | null;
  schema(): GraphQLSchema;
  /** The per-operation access check (authenticator, rate limits): null to go on, or the errors to answer. */
  authorize(connection: LiveConnection & { state: SocketState }): Promise<readonly GraphQLError[] | null>;
  /** The gateway's guard (operation limits, introspection policy, permission rules) for one operation. */
  guard(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
    viewer: Viewer,
  ): Promise<GraphQLError | null>;
  /** Runs an operation through the gateway (its plugins, planner and subgraphs) as `viewer`. */
  execute(document: DocumentNode, variables: Record<string, unknown>, viewer: Viewer): Promise<ExecutionResult>;
  /** Operations (queries, mutations, subscriptions) a socket may have running at once. */
  maxOperationsPerSocket: number;
  /** A socket that holds more unsent bytes than this gets no more follow-up results and is closed. */
  dropIfSlow(connection: LiveConnection, field: string): boolean;
}

/**
 * Runs what a socket sends: every operation passes the per-socket operation cap, the socket's access check
 * (same authenticator and rate limits as HTTP), parsing and validation (same token limit as HTTP), variable
 * coercion and the gateway's guard, in that order. Queries and mutations then run once through the gateway;
 * subscriptions to a per-viewer live field run the subscriber's follow-up per matching event (identical
 * follow-ups for one event run once); subscriptions to a public live field join its fan-out.
 *
 * Every push of a per-viewer live field carries `extensions: { eventId, eventType }`. Subscribed with
 * `after: <eventId>`, the field first replays the stored events after that id (same filter and follow-up as
 * live ones, one after the other, in stream order), then goes live: events that arrive during the replay wait
 * and those already replayed are dropped by event id.
 */
export class OperationRunner {
  private readonly byName: Map<string, LiveField>;
  private readonly inflight = new Map<string, Promise<ExecutionResult>>();

  constructor(private readonly options: OperationRunnerOptions) {
    this.byName = new Map(options.fields.map((f) => [f.name, f] as const));
  }

  async start(
    connection: LiveConnection & { state: SocketState },
    id: string,
    payload: SubscribePayload,
  ): Promise<Operation | readonly GraphQLError[]> {
    // the operations map holds this one too (reserved as it arrived, so the count is exact before any await)
    const max = this.options.maxOperationsPerSocket;
    if (connection.operations.size > max) {
      return [
        new GraphQLError(`Too many operations running on this socket (at most ${max})`, {
          extensions: { code: ErrorCode.RATE_LIMITED, limit: 'operationsPerSocket', max },
        }),
      ];
    }
    const refused = await this.options.authorize(connection);
    if (refused) return refused;
    const { viewer } = connection.state;
    const schema = this.options.schema();
    const prepared = this.options.documents.prepare(schema, payload.query);
    if ('errors' in prepared) return prepared.errors;
    const document = prepared.document;
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [new GraphQLError('Operation not found', { extensions: { code: 'BAD_USER_INPUT' } })];
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors)
      return coerced.errors.map(
        (e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } }),
      );
    const variables = coerced.coerced;
    const denied = await this.options.guard(schema, document, operation, payload.variables ?? {}, viewer);
    if (denied) return [denied];

    if (operation.operation !== 'subscription')
      return this.runOnce(connection, id, document, payload.variables ?? {}, viewer);

    const root = operation.selectionSet.selections.find(
      (s): s is FieldNode => s.kind === Kind.FIELD && !s.name.value.startsWith('__'),
    );
    const field = root ? this.byName.get(root.name.value) : undefined;
    const definition = root ? schema.getSubscriptionType()?.getFields()[root.name.value] : undefined;
    if (!root || !field || !definition) return [new GraphQLError('Unknown subscription field')];
    const fieldArgs = getArgumentValues(definition, root, variables);
    if (this.options.fanOuts.serves(field)) {
      return this.options.fanOuts.join({
        socket: connection.socket,
        id,
        viewer,
        schema,
        document,
        operation,
        root,
        field,
        fieldArgs,
        variables,
      });
    }
    return this.startFollowUps(connection, id, document, operation, root, field, fieldArgs, variables);
  }

  /** A query or mutation over the socket: once, through the gateway, then complete. */
  private runOnce(
    connection: LiveConnection,
    id: string,
    document: DocumentNode,
    variables: Record<string, unknown>,
    viewer: Viewer,
  ): Operation {
    let stopped = false;
    this.options
      .execute(document, variables, viewer)
      .catch((err: unknown): ExecutionResult => {
        this.options.log.error({ err }, 'operation over websocket failed');
        return {
          errors: [
            new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }),
          ],
        };
      })
      .then((result) => {
        if (stopped) return;
        connection.next(id, result);
        connection.complete(id);
      });
    return { stop: () => (stopped = true) };
  }

  /** A per-viewer live field: each matching event runs the subscriber's follow-up (shared when identical). */
  private async startFollowUps(
    connection: LiveConnection & { state: SocketState },
    id: string,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    root: FieldNode,
    field: LiveField,
    fieldArgs: Record<string, unknown>,
    variables: Record<string, unknown>,
  ): Promise<Operation | readonly GraphQLError[]> {
    const { matches, followUp: followUpOf } = field;
    if (!matches || !followUpOf) return [new GraphQLError('Unknown subscription field')];
    const after = typeof fieldArgs.after === 'string' ? fieldArgs.after : null;
    let stopped = false;
    /** Follows up one event and pushes the result; resolves when it was sent (or dropped). */
    const push = (event: EventEnvelope): Promise<void> => {
      const { viewer } = connection.state;
      if (!matches(event, viewer, fieldArgs)) return Promise.resolve();
      const followUp = buildFollowUp(document, operation, root, followUpOf(event, viewer, fieldArgs), variables);
      const key = `${event.id}|${viewer.userId}|${followUp.key}|${JSON.stringify(followUp.variables)}`;
      // The follow-up and the push are a span of the event's trace (EventHub runs listeners in its delivery span).
      return inSpan(`push ${field.name}`, { attributes: { 'graphql.subscription.field': field.name } }, async () => {
        const result = await this.runShared(key, () =>
          this.options.execute(followUp.document, followUp.variables, viewer),
        );
        if (stopped || this.options.dropIfSlow(connection, field.name)) return;
        connection.next(id, {
          data: result.data ? { [followUp.responseKey]: result.data[followUp.responseKey] ?? null } : null,
          ...(result.errors ? { errors: result.errors } : {}),
          extensions: { eventId: event.id, eventType: event.type },
        });
      }).catch((err: unknown) => this.options.log.error({ err, field: field.name }, 'live follow-up failed'));
    };
    // While a resumed subscription replays, live events wait here; afterwards, replayed ones are dropped.
    let waiting: EventEnvelope[] | null = after ? [] : null;
    const replayed = new Set<string>();
    const unsubscribers = field.subjects.map((subject) =>
      this.options.hub.listen(subject, (event) => {
        if (waiting) waiting.push(event);
        else if (!replayed.has(event.id)) void push(event);
      }),
    );
    const stop = () => {
      stopped = true;
      unsubscribers.forEach((u) => u());
    };
    if (after) {
      const refused = await this.replay(field, after, replayed, push, () => stopped);
      if (refused) {
        stop();
        return [refused];
      }
      const pending = waiting ?? [];
      waiting = null;
      for (const event of pending) if (!replayed.has(event.id)) void push(event);
    }
    return { stop };
  }

  /**
   * Pushes the stored events after `after` one after the other (each follow-up awaited, so in order), noting
   * their ids in `replayed`; the error to answer instead when they cannot be replayed.
   */
  private async replay(
    field: LiveField,
    after: string,
    replayed: Set<string>,
    push: (event: EventEnvelope) => Promise<void>,
    stopped: () => boolean,
  ): Promise<GraphQLError | null> {
    if (!this.options.events)
      return toGraphQLError(new DomainError(ErrorCode.BAD_USER_INPUT, 'Resuming subscriptions is not available here'));
    let replay: Awaited<ReturnType<EventLog['after']>>;
    try {
      replay = await this.options.events.after(field.subjects, after);
    } catch (err) {
      this.options.log.error({ err, field: field.name }, 'reading events to resume a subscription failed');
      return new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
    }
    if ('refused' in replay)
      return toGraphQLError(
        new DomainError(
          ErrorCode.RESUME_WINDOW_EXCEEDED,
          'Cannot resume after this event: refetch, then subscribe without `after`',
          { reason: replay.refused },
        ),
      );
    for (const event of replay.events) {
      if (stopped()) break;
      replayed.add(event.id);
      await push(event);
    }
    return null;
  }

  /** One execution per key while it is in flight (identical follow-ups of one event, e.g. two tabs). */
  private runShared(key: string, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
    let promise = this.inflight.get(key);
    if (!promise) {
      promise = run().finally(() => setImmediate(() => this.inflight.delete(key)));
      this.inflight.set(key, promise);
    }
    return promise;
  }
}
