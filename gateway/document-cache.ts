import type { DocumentNode, OperationDefinitionNode } from 'graphql';

/** Default budget of one cache: a few thousand operations' facts. */
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
/** A parsed document costs roughly this many bytes per character of its source. */
const AST_BYTES_PER_SOURCE_CHAR = 12;
const ENTRY_OVERHEAD_BYTES = 512;

interface DocumentEntry<T, S> {
  scope: S;
  byVariables: Map<string, T>;
  bytes: number;
}

export interface PerDocumentCacheOptions {
  /** The most the cache may hold, estimated from key and document sizes; least recently used documents go first. */
  maxBytes?: number;
}

/** The key of the variables an operation declares: values it does not declare cannot change its facts. */
function variablesKey(operation: OperationDefinitionNode, variables: Record<string, unknown>): string {
  const used: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (name in variables) used[name] = variables[name];
  }
  return JSON.stringify(used);
}

/**
 * Remembers a value computed from a parsed operation, per document (Apollo reuses the DocumentNode for the
 * same query text), operation name, the values of the variables the operation declares, and an optional
 * scope (e.g. the schema it was computed against: a new schema starts afresh). Bounded by bytes: each
 * document and each variable set is weighed, and the least recently used documents are dropped past the
 * budget, so neither many documents nor large variable sets can grow it.
 */
export function perDocumentCache<T, S extends object | null = null>(
  compute: (
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
    scope: S,
  ) => T,
  options: PerDocumentCacheOptions = {},
) {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  /** Map order is recency: a hit moves the document to the end. */
  const cache = new Map<DocumentNode, DocumentEntry<T, S>>();
  let total = 0;
  const lookup = (
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
    scope: S,
  ): T => {
    let entry = cache.get(document);
    if (entry && entry.scope !== scope) {
      cache.delete(document);
      total -= entry.bytes;
      entry = undefined;
    }
    if (entry) {
      cache.delete(document);
      cache.set(document, entry);
    } else {
      entry = {
        scope,
        byVariables: new Map(),
        bytes: ENTRY_OVERHEAD_BYTES + (document.loc?.end ?? 1000) * AST_BYTES_PER_SOURCE_CHAR,
      };
      cache.set(document, entry);
      total += entry.bytes;
    }
    const key = `${operation.name?.value ?? ''}|${variablesKey(operation, variables)}`;
    let value = entry.byVariables.get(key);
    if (value === undefined) {
      value = compute(document, operation, variables, scope);
      // a key's characters take 2 bytes, and the facts computed from its values (arguments) about as much again
      const weight = ENTRY_OVERHEAD_BYTES + key.length * 4;
      if (entry.bytes + weight <= maxBytes / 4) {
        entry.byVariables.set(key, value);
        entry.bytes += weight;
        total += weight;
      }
      evict(document);
    }
    return value;
  };
  const evict = (keep: DocumentNode) => {
    for (const [document, entry] of cache) {
      if (total <= maxBytes) return;
      if (document === keep) continue;
      cache.delete(document);
      total -= entry.bytes;
    }
  };
  return Object.assign(lookup, {
    /** The estimated bytes held (for tests and metrics). */
    bytes: () => total,
    documents: () => cache.size,
  });
}
