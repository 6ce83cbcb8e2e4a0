import {
  isAbstractType,
  isIntrospectionType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  getArgumentValues,
} from 'graphql';
import type { ShieldRule } from './permissions.js';
import type { GatewayContext } from '../context.js';
import type { PermissionMap } from './permissions.js';
import { scopeDenial } from './scopes.js';

export interface Denial {
  path: string;
  code: 'UNAUTHENTICATED' | 'FORBIDDEN';
  message: string;
}

export interface FieldUse {
  typeName: string;
  fieldName: string;
  args: Record<string, unknown>;
  path: string;
}

const SHIELD_OPTIONS = {
  debug: false,
  allowExternalErrors: false,
  fallbackRule: undefined,
  fallbackError: undefined,
  hashFunction: JSON.stringify,
};

/**
 * Lists every (type, field) the operation can touch, fragments and inline fragments included; for an
 * abstract type, the field is checked on each possible object type. Introspection is left out.
 */
export function collectFieldUses(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): FieldUse[] {
  const uses: FieldUse[] = [];
  const typeInfo = new TypeInfo(schema);
  const fragments = new Map(
    document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d] as const),
  );
  const seen = new Set<string>();
  const walk = (node: OperationDefinitionNode | import('graphql').FragmentDefinitionNode, prefix: string) => {
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        Field(field) {
          const parent = typeInfo.getParentType();
          const def = typeInfo.getFieldDef();
          // __schema, __type, __typename and every field of the introspection types (__Schema, __Type, …) are
          // governed by the introspection policy alone (guardOperation), not by the shield map.
          if (!parent || field.name.value.startsWith('__') || isIntrospectionType(parent)) return;
          let args: Record<string, unknown> = {};
          if (def) {
            try {
              args = getArgumentValues(def, field, variables);
            } catch {
              args = {};
            }
          }
          const targets = isAbstractType(parent) ? schema.getPossibleTypes(parent).map((t) => t.name) : [parent.name];
          for (const typeName of targets)
            uses.push({
              typeName,
              fieldName: field.name.value,
              args,
              path: `${prefix}${typeName}.${field.name.value}`,
            });
        },
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value);
          if (fragment && !seen.has(fragment.name.value)) {
            seen.add(fragment.name.value);
            walk(fragment, prefix);
          }
        },
      }),
    );
  };
  walk(operation, '');
  return uses;
}

/**
 * collectFieldUses with repeats dropped: one use per (type, field, arguments), the first kept, in order.
 * The same field with the same arguments gets the same rule and the same answer, so it is checked once.
 */
export function uniqueFieldUses(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): FieldUse[] {
  const byKey = new Map<string, FieldUse>();
  for (const use of collectFieldUses(schema, document, operation, variables)) {
    const key = `${use.typeName}.${use.fieldName}:${JSON.stringify(use.args)}`;
    if (!byKey.has(key)) byKey.set(key, use);
  }
  return [...byKey.values()];
}

export function introspectionFields(document: DocumentNode): string[] {
  const found: string[] = [];
  visit(document, {
    Field(field) {
      if (field.name.value === '__schema' || field.name.value === '__type') found.push(field.name.value);
    },
  });
  return found;
}

/**
 * Evaluates graphql-shield rules over the whole operation (its `uniqueFieldUses`) before any subgraph is
 * called. A token's scope (scopes.ts) is checked first; a missing rule falls back to `fallbackRule` (deny). Returns the first denial, or null when every
 * field is allowed.
 */
export async function evaluatePermissions(
  schema: GraphQLSchema,
  map: PermissionMap,
  fallbackRule: ShieldRule,
  operation: OperationDefinitionNode,
  uses: readonly FieldUse[],
  ctx: GatewayContext,
): Promise<Denial | null> {
  for (const use of uses) {
    const outOfScope = scopeDenial(ctx.viewer, use);
    if (outOfScope) return { path: use.path, code: 'FORBIDDEN', message: outOfScope };
    const typeRules = map[use.typeName];
    const ruleFor = typeRules?.[use.fieldName] ?? typeRules?.['*'] ?? fallbackRule;
    const type = schema.getType(use.typeName);
    const info = {
      fieldName: use.fieldName,
      parentType: isObjectType(type) ? type : undefined,
      schema,
      operation,
      returnType: undefined,
      path: undefined,
    } as unknown as GraphQLResolveInfo;
    const result = await ruleFor.resolve(undefined, use.args, ctx, info, SHIELD_OPTIONS);
    if (result === true) continue;
    const error = result instanceof Error ? (result as Error & { code?: string }) : null;
    const code =
      error?.code === 'UNAUTHENTICATED'
        ? 'UNAUTHENTICATED'
        : error?.code === 'FORBIDDEN'
          ? 'FORBIDDEN'
          : ctx.viewer.userId
            ? 'FORBIDDEN'
            : 'UNAUTHENTICATED';
    const message =
      error?.message && error.message !== 'Not Authorised!'
        ? error.message
        : `Not allowed to select ${use.typeName}.${use.fieldName}`;
    return { path: use.path, code, message };
  }
  return null;
}
