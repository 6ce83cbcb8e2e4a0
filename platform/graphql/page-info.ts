import { Directive, Field, ObjectType } from 'type-graphql';

/** Relay's PageInfo, the same in every subgraph (shareable in the supergraph): one class for all connections. */
@ObjectType('PageInfo')
@Directive('@shareable')
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** A Relay connection of edges already mapped to their GraphQL nodes: the end cursor is the last edge's. */
export function connectionFrom<E extends { cursor: string }>(
  edges: E[],
  hasNextPage: boolean,
): { edges: E[]; pageInfo: PageInfo } {
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}
