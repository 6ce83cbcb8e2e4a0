import type {
  DocumentNode,
  ExecutionResult,
  FieldNode,
  GraphQLError,
  GraphQLSchema,
  OperationDefinitionNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { WebSocket } from 'ws';
import { ANONYMOUS, type Viewer } from '../../platform/auth/viewer.js';
import { DomainError, toGraphQLError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { EventHub } from './event-hub.js';
import { FanOut, frameStart } from './fan-out.js';
import { buildFollowUp, type FollowUpQuery } from './follow-up.js';
import type { LiveField } from './live-fields.js';
import type { LiveMetrics } from './live-metrics.js';
import type { Operation } from './ws-protocol.js';

/** The follow-up of a fan-out subscription, shared by every subscription with the same document. */
interface FollowUpTemplate {
  query: FollowUpQuery;
  /** The subscriber's variables the follow-up keeps (those its selection uses). */
  keptVariables: string[];
}

export interface FanOutFieldsOptions {
  log: Logger;
  hub: EventHub;
  fields: LiveField[];
  metrics: LiveMetrics;
  maxBufferedBytes: number;
  onSlowConsumer(socket: WebSocket, field: string): void;
  /** Runs a follow-up through the gateway as `viewer`. */
  execute(document: DocumentNode, variables: Record<string, unknown>, viewer: Viewer): Promise<ExecutionResult>;
  /** Whether the guard lets an anonymous viewer run this follow-up (then no viewer's data can be in it). */
  allowsAnonymous(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
  ): Promise<boolean>;
  /** Bound of the per-selection caches (follow-up public decisions). Default 1,000. */
  maxCachedSelections?: number;
}

/** A subscription to a fan-out field, once its document and arguments were checked. */
export interface FanOutJoin {
  socket: WebSocket;
  id: string;
  viewer: Viewer;
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  root: FieldNode;
  field: LiveField;
  fieldArgs: Record<string, unknown>;
  variables: Record<string, unknown>;
}

/**
 * The live fields of public data (those with `fanOut`): one FanOut each, subscribed to its NATS subjects
 * while it has members. Subscriptions with the same selection and variables form one group; the group's
 * follow-up runs as an anonymous viewer when the guard allows that (so one execution serves every viewer),
 * otherwise the group is per viewer.
 */
export class FanOutFields {
  private readonly fanOuts = new Map<string, FanOut>();
  private readonly templates = new WeakMap<DocumentNode, Map<string, FollowUpTemplate>>();
  private readonly publicDecisions: LRUCache<string, Promise<boolean>>;

  constructor(private readonly options: FanOutFieldsOptions) {
    this.publicDecisions = new LRUCache({ max: options.maxCachedSelections ?? 1000 });
    for (const field of options.fields) if (field.fanOut) this.fanOuts.set(field.name, this.fanOutFor(field));
  }

  serves(field: LiveField): boolean {
    return this.fanOuts.has(field.name);
  }

  async join(join: FanOutJoin): Promise<Operation | readonly GraphQLError[]> {
    const { field } = join;
    const fanOut = this.fanOuts.get(field.name)!;
    let topics: string[];
    try {
      topics = field.fanOut!.topics(join.fieldArgs);
    } catch (err) {
      if (err instanceof DomainError) return [toGraphQLError(err)];
      throw err;
    }
    const template = this.templateFor(join.document, join.operation, join.root, field);
    const kept: Record<string, unknown> = {};
    for (const name of template.keptVariables) if (name in join.variables) kept[name] = join.variables[name];
    const shape = `${field.name}\n${template.query.key}\n${JSON.stringify(kept)}`;
    const open = await this.isPublic(join.schema, template, shape, kept);
    const viewer = open ? ANONYMOUS : join.viewer;
    return fanOut.add(
      {
        key: `${open ? 'public' : `viewer:${viewer.userId}`}\n${shape}`,
        responseKey: template.query.responseKey,
        execute: (eventVariables) =>
          this.options.execute(template.query.document, { ...kept, ...eventVariables }, viewer),
      },
      { socket: join.socket, frameStart: frameStart(join.id), topics },
    );
  }

  private fanOutFor(field: LiveField): FanOut {
    const { hub, log, metrics } = this.options;
    const spec = field.fanOut!;
    let unlisten: (() => void)[] = [];
    const fanOut: FanOut = new FanOut({
      log,
      maxBufferedBytes: this.options.maxBufferedBytes,
      onSlowConsumer: (socket) => this.options.onSlowConsumer(socket, field.name),
      onActive: (active) => {
        unlisten.forEach((u) => u());
        unlisten = active
          ? field.subjects.map((subject) =>
              hub.listen(subject, (event) => {
                const targets = spec.targets(event);
                if (targets.length)
                  fanOut.publish(targets.map((t) => ({ topic: t.topic, variables: liveVariables(t.args) })));
              }),
            )
          : [];
      },
      onExecuted: () => metrics.executions.inc({ field: field.name }),
      onDelivered: (count, seconds) => {
        metrics.frames.inc({ field: field.name }, count);
        metrics.delivery.observe({ field: field.name }, seconds);
      },
    });
    return fanOut;
  }

  private templateFor(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    root: FieldNode,
    field: LiveField,
  ): FollowUpTemplate {
    let byOperation = this.templates.get(document);
    if (!byOperation) {
      byOperation = new Map();
      this.templates.set(document, byOperation);
    }
    const name = operation.name?.value ?? '';
    let template = byOperation.get(name);
    if (!template) {
      const args = Object.fromEntries(
        Object.entries(field.fanOut!.followUp.args).map(([arg, type]) => [arg, { type, value: null }]),
      );
      const query = buildFollowUp(document, operation, root, { field: field.fanOut!.followUp.field, args }, {});
      const definitions = (query.document.definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];
      template = {
        query,
        keptVariables: definitions.map((d) => d.variable.name.value).filter((v) => !v.startsWith('__live_')),
      };
      byOperation.set(name, template);
    }
    return template;
  }

  private isPublic(
    schema: GraphQLSchema,
    template: FollowUpTemplate,
    key: string,
    variables: Record<string, unknown>,
  ): Promise<boolean> {
    let decision = this.publicDecisions.get(key);
    if (!decision) {
      const operation = template.query.document.definitions[0] as OperationDefinitionNode;
      decision = this.options.allowsAnonymous(schema, template.query.document, operation, variables);
      this.publicDecisions.set(key, decision);
      decision.catch(() => this.publicDecisions.delete(key)); // a failed check is not remembered
    }
    return decision;
  }
}

/** The follow-up's event variables: `__live_<arg>` for each argument. */
function liveVariables(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) out[`__live_${name}`] = value;
  return out;
}
