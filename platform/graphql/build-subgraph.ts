import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { AmountScalar, DateTimeScalar } from './scalars.js';
import type { Loaders } from './loaders.js';

export const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@tag"])`;

export interface ReferenceContext {
  loaders: Loaders;
}

/** `{ Type: { __resolveReference } }` entries, built with batchedReference. */
export type ReferenceResolvers = Record<
  string,
  { __resolveReference: (ref: Record<string, unknown>, ctx: never) => unknown }
>;

/**
 * A batched `__resolveReference`: every representation of the type in one `_entities` call is loaded by
 * one call to `loadMany` through a per-request DataLoader.
 */
export function batchedReference<T, C extends ReferenceContext>(
  typeName: string,
  key: string,
  loadMany: (keys: readonly string[], ctx: C) => Promise<(T | null)[]>,
): { __resolveReference: (ref: Record<string, unknown>, ctx: C) => Promise<T | null> } {
  return {
    __resolveReference: (ref, ctx) => {
      const value = ref[key];
      if (typeof value !== 'string') return Promise.resolve(null);
      return ctx.loaders.get<T>(`ref:${typeName}`, (keys) => loadMany(keys, ctx)).load(value);
    },
  };
}

/* eslint-disable @typescript-eslint/no-unsafe-function-type -- type-graphql takes resolver and type classes as `Function` */
export interface BuildSubgraphOptions {
  resolvers: NonEmptyArray<Function>;
  orphanedTypes?: Function[];
  references?: Record<string, { __resolveReference: (ref: Record<string, unknown>, ctx: never) => unknown }>;
}
/* eslint-enable @typescript-eslint/no-unsafe-function-type */

/** A type-graphql schema turned into an Apollo Federation 2 subgraph schema with the shared scalars. */
export async function buildSubgraph(options: BuildSubgraphOptions): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    skipCheck: true,
    validate: false,
    emitSchemaFile: false,
  });
  const typeDefs = parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`);
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  for (const [typeName, reference] of Object.entries(options.references ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...reference } as GraphQLResolverMap<unknown>[string];
  }
  resolvers.Amount = AmountScalar;
  resolvers.DateTime = DateTimeScalar;
  return buildSubgraphSchema({ typeDefs, resolvers });
}
