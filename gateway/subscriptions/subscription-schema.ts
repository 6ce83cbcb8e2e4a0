import { extendSchema, parse, type GraphQLSchema } from 'graphql';
import type { LiveField } from './live-fields.js';

/** The supergraph's API schema plus the gateway-owned Subscription type. */
export function buildSubscriptionSchema(apiSchema: GraphQLSchema, fields: LiveField[]): GraphQLSchema {
  const sdl = `extend schema { subscription: Subscription }\ntype Subscription {\n  ${fields.map((f) => f.sdl).join('\n  ')}\n}`;
  return extendSchema(apiSchema, parse(sdl), { assumeValidSDL: true });
}
