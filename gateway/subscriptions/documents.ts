import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';

/** A parsed and validated document, shared by every socket that sends the same text; or why it is refused. */
export type PreparedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

export interface DocumentCacheOptions {
  /** Parser token limit: the same as HTTP's (`QUERY_MAX_TOKENS`). */
  maxTokens: number;
  /** Most documents kept per schema. Default 1,000. */
  maxEntries?: number;
  /** Most characters of document text kept per schema (the parsed trees grow with it). Default 4 MiB. */
  maxTextBytes?: number;
}

/**
 * Parses and validates operation texts once per schema: least recently used texts beyond the bounds
 * (count and total text length) are dropped, and a new supergraph schema starts a new cache.
 */
export class DocumentCache {
  private readonly bySchema = new WeakMap<GraphQLSchema, LRUCache<string, PreparedDocument>>();

  constructor(private readonly options: DocumentCacheOptions) {}

  prepare(schema: GraphQLSchema, query: string): PreparedDocument {
    let cache = this.bySchema.get(schema);
    if (!cache) {
      cache = new LRUCache<string, PreparedDocument>({
        max: this.options.maxEntries ?? 1000,
        maxSize: this.options.maxTextBytes ?? 4 * 1024 * 1024,
        sizeCalculation: (_value, key) => Math.max(1, key.length),
      });
      this.bySchema.set(schema, cache);
    }
    let prepared = cache.get(query);
    if (!prepared) {
      prepared = prepareDocument(schema, query, this.options.maxTokens);
      cache.set(query, prepared);
    }
    return prepared;
  }
}

function prepareDocument(schema: GraphQLSchema, query: string, maxTokens: number): PreparedDocument {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens });
  } catch (err) {
    return { errors: [new GraphQLError((err as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
  }
  const errors = validate(schema, document);
  if (errors.length)
    return {
      errors: errors.map(
        (e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      ),
    };
  return { document };
}
