import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DirectiveNode,
  type FieldNode,
  type GraphQLField,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode } from '../errors.js';

/**
 * graphql-js coerces a field's arguments while it executes the field: an explicit null for a non-null argument
 * that has a default (`first: Int! = 20` given `$first: Int` = null, which validation allows), or a null
 * variable inside an input object's non-null field, fails there as a field error with no code, and the
 * error mapper cannot tell it from a bug, so the client saw INTERNAL_SERVER_ERROR for its own mistake.
 *
 * This plugin coerces every argument of the operation once, after validation and before execution, with the
 * same graphql-js functions execution uses; a value it refuses ends the request as BAD_USER_INPUT (HTTP 400)
 * with graphql-js's message, which names the argument and the expected type and nothing internal. Fields
 * under a `@skip`/`@include` that leaves them out are not checked, as they would not run.
 */
export function argumentCheckPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const { coerced } = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          // a variable that does not coerce is refused by Apollo Server's own check (BAD_USER_INPUT) next
          if (!coerced) return;
          const excluded = (node: { readonly directives?: readonly DirectiveNode[] }) => {
            if (!node.directives?.length) return false;
            const skip = getDirectiveValues(GraphQLSkipDirective, node, coerced);
            if (skip?.if === true) return true;
            const include = getDirectiveValues(GraphQLIncludeDirective, node, coerced);
            return include?.if === false;
          };
          const check = (field: GraphQLField<unknown, unknown>, node: FieldNode) => {
            try {
              getArgumentValues(field, node, coerced);
            } catch (err) {
              if (!(err instanceof GraphQLError)) throw err;
              throw new GraphQLError(err.message, {
                nodes: err.nodes,
                extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
              });
            }
          };
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const definition of document.definitions)
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
          const walked = new Set<string>();
          // the operation, then each fragment it spreads where the spread is not left out
          const walk = (root: OperationDefinitionNode | FragmentDefinitionNode) => {
            const typeInfo = new TypeInfo(schema);
            visit(
              root,
              visitWithTypeInfo(typeInfo, {
                InlineFragment: (node) => (excluded(node) ? false : undefined),
                FragmentSpread(node) {
                  const fragment = fragments.get(node.name.value);
                  if (excluded(node) || !fragment || walked.has(fragment.name.value)) return false;
                  walked.add(fragment.name.value);
                  walk(fragment);
                  return undefined;
                },
                Field(node) {
                  if (excluded(node)) return false;
                  const field = typeInfo.getFieldDef();
                  if (field?.args.length) check(field, node);
                  return undefined;
                },
              }),
            );
          };
          walk(operation);
        },
      };
    },
  };
}
