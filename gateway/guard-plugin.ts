import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode, type GraphQLSchema } from 'graphql';
import type { ShieldRule } from './permissions/permissions.js';
import type { GatewayContext } from './context.js';
import { perDocumentCache } from './document-cache.js';
import { checkLimits, measure, type Complexity, type QueryLimits } from './limits/complexity.js';
import {
  checkListArguments,
  checkVariables,
  DEFAULT_INPUT_LIMITS,
  describeViolation,
  type InputLimits,
  type InputViolation,
} from './limits/input-size.js';
import { evaluatePermissions, introspectionFields, uniqueFieldUses, type FieldUse } from './permissions/evaluate.js';
import type { PermissionMap } from './permissions/permissions.js';
import { isStaff } from '../platform/auth/viewer.js';
import { ErrorCode } from '../platform/errors.js';

export interface GuardOptions {
  limits: QueryLimits;
  /** Variables' size and list lengths, checked first (DEFAULT_INPUT_LIMITS when not given). */
  input?: InputLimits;
  permissions: PermissionMap;
  fallbackRule: ShieldRule;
  /** Whether anyone (dev) or only staff (production) may introspect. */
  introspectionForAll: boolean;
}

export function guardError(
  code: string,
  message: string,
  status: number,
  extra: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, http: { status } } });
}

interface OperationFacts {
  cost: Complexity;
  introspects: boolean;
  /** The permission walk, computed on first read: an operation over the limits never pays for it. */
  readonly uses: FieldUse[];
}

/** What the guard needs to know about an operation, per parsed document, variables and schema. */
const operationFacts = perDocumentCache((document, operation, variables, schema: GraphQLSchema): OperationFacts => {
  let uses: FieldUse[] | undefined;
  return {
    cost: measure(document, operation, variables),
    introspects: introspectionFields(document).length > 0,
    get uses() {
      return (uses ??= uniqueFieldUses(schema, document, operation, variables));
    },
  };
});

function inputError(violation: InputViolation): GraphQLError {
  return guardError(ErrorCode.BAD_USER_INPUT, describeViolation(violation), 400, { ...violation });
}

/**
 * Checks a resolved operation before its query plan runs: the size of its variables and lists, complexity
 * limits, introspection access, then every field against the shield rules. Shared by HTTP requests and
 * WebSocket operations (give it the operation's raw variables, before coercion).
 */
export async function guardOperation(
  options: GuardOptions,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  ctx: GatewayContext,
): Promise<GraphQLError | null> {
  // first, before the variables are copied, keyed or walked by anything else
  const input = options.input ?? DEFAULT_INPUT_LIMITS;
  const oversized = checkVariables(variables, input);
  if (oversized) return inputError(oversized);
  const facts = operationFacts(document, operation, variables, schema);
  const violation = checkLimits(facts.cost, options.limits);
  if (violation) {
    return guardError(
      'QUERY_TOO_COMPLEX',
      `Query ${violation.limit} ${violation.actual} exceeds the limit of ${violation.max}`,
      400,
      { limit: violation.limit, max: violation.max, actual: violation.actual },
    );
  }
  const longList = checkListArguments(facts.uses, input);
  if (longList) return inputError(longList);
  if (!options.introspectionForAll && facts.introspects && !isStaff(ctx.viewer)) {
    return guardError('FORBIDDEN', 'Introspection is for staff only', 403);
  }
  const denial = await evaluatePermissions(
    schema,
    options.permissions,
    options.fallbackRule,
    operation,
    facts.uses,
    ctx,
  );
  if (denial)
    return guardError(denial.code, denial.message, denial.code === 'UNAUTHENTICATED' ? 401 : 403, {
      field: denial.path,
    });
  return null;
}

export function guardPlugin(options: GuardOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, contextValue, schema }) {
          // Without these two checks the gateway's planner throws INVALID_GRAPHQL and the client sees a 500.
          if (!operation) {
            const named = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
            const asked = request.operationName;
            const message = asked
              ? `No operation named "${asked}" in the document`
              : `The document has ${named} operations: send operationName to say which one to run`;
            throw guardError(ErrorCode.OPERATION_RESOLUTION_FAILURE, message, 400);
          }
          // HTTP requests (not the WebSocket server's follow-up executions) carry request.http
          if (operation.operation === 'subscription' && request.http) {
            throw guardError(
              ErrorCode.SUBSCRIPTION_OVER_HTTP,
              'Subscriptions run over WebSocket (graphql-ws) at this same URL, not over HTTP',
              400,
            );
          }
          const error = await guardOperation(
            options,
            schema,
            document,
            operation,
            request.variables ?? {},
            contextValue,
          );
          if (error) throw error;
        },
      };
    },
  };
}
