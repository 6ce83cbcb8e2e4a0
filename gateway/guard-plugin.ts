import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type OperationDefinitionNode, type GraphQLSchema } from 'graphql';
import type { ShieldRule } from './permissions/permissions.js';
import type { GatewayContext } from './context.js';
import { perDocumentCache } from './document-cache.js';
import { checkLimits, measure, type QueryLimits } from './limits/complexity.js';
import { evaluatePermissions, introspectionFields } from './permissions/evaluate.js';
import type { PermissionMap } from './permissions/permissions.js';
import { isStaff } from '../platform/auth/viewer.js';

export interface GuardOptions {
  limits: QueryLimits;
  permissions: PermissionMap;
  fallbackRule: ShieldRule;
  /** Whether anyone (dev) or only staff (production) may introspect. */
  introspectionForAll: boolean;
}

export function guardError(code: string, message: string, status: number, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, http: { status } } });
}

/**
 * Checks a resolved operation before its query plan runs: complexity limits, introspection access, then
 * every field against the shield rules. Shared by HTTP requests and WebSocket operations.
 */
/** Complexity per parsed document and variables. */
const measureCached = perDocumentCache((document, operation, variables) => measure(document, operation, variables));

export async function guardOperation(
  options: GuardOptions,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  ctx: GatewayContext,
): Promise<GraphQLError | null> {
  const violation = checkLimits(measureCached(document, operation, variables, null), options.limits);
  if (violation) {
    return guardError('QUERY_TOO_COMPLEX', `Query ${violation.limit} ${violation.actual} exceeds the limit of ${violation.max}`, 400, { limit: violation.limit, max: violation.max, actual: violation.actual });
  }
  if (!options.introspectionForAll && introspectionFields(document).length && !isStaff(ctx.viewer)) {
    return guardError('FORBIDDEN', 'Introspection is for staff only', 403);
  }
  const denial = await evaluatePermissions(schema, options.permissions, options.fallbackRule, document, operation, variables, ctx);
  if (denial) return guardError(denial.code, denial.message, denial.code === 'UNAUTHENTICATED' ? 401 : 403, { field: denial.path });
  return null;
}

export function guardPlugin(options: GuardOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, contextValue, schema }) {
          if (!operation) return;
          const error = await guardOperation(options, schema, document, operation, request.variables ?? {}, contextValue);
          if (error) throw error;
        },
      };
    },
  };
}
