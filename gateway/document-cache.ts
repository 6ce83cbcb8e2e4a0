import type { DocumentNode, OperationDefinitionNode } from 'graphql';

const MAX_VARIANTS_PER_DOCUMENT = 64;

/**
 * Remembers a value computed from a parsed operation, per document (Apollo reuses the DocumentNode for the
 * same query text), operation name, variables and an optional scope (e.g. the schema it was computed
 * against: a new schema starts afresh). At most 64 variable sets are kept per document.
 */
export function perDocumentCache<T, S extends object | null = null>(
  compute: (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, scope: S) => T,
) {
  const cache = new WeakMap<DocumentNode, { scope: S; byVariables: Map<string, T> }>();
  return (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, scope: S): T => {
    let entry = cache.get(document);
    if (!entry || entry.scope !== scope) cache.set(document, (entry = { scope, byVariables: new Map() }));
    const key = `${operation.name?.value ?? ''}|${JSON.stringify(variables)}`;
    let value = entry.byVariables.get(key);
    if (value === undefined) {
      value = compute(document, operation, variables, scope);
      if (entry.byVariables.size < MAX_VARIANTS_PER_DOCUMENT) entry.byVariables.set(key, value);
    }
    return value;
  };
}
