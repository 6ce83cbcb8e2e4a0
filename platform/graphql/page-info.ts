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
