import { isScalarType, type GraphQLSchema } from 'graphql';
import { AmountScalar, DateTimeScalar } from '../platform/graphql/scalars.js';

/**
 * The supergraph's custom scalars are pass-through in the gateway's schema, so a malformed Amount or
 * DateTime variable would reach a subgraph, fail its variable coercion with HTTP 400, and come back as
 * INTERNAL_SERVER_ERROR. Binding the platform's input parsing here refuses it at the edge with
 * BAD_USER_INPUT (an Amount longer than AMOUNT_MAX_LENGTH is refused before it is read). Output is left as
 * the subgraphs serialized it.
 */
export function bindInputScalars(schema: GraphQLSchema): void {
  for (const impl of [AmountScalar, DateTimeScalar]) {
    const type = schema.getType(impl.name);
    if (!isScalarType(type)) continue;
    type.parseValue = impl.parseValue;
    type.parseLiteral = impl.parseLiteral;
  }
}
