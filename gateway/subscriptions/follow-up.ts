import {
  Kind,
  OperationTypeNode,
  parseType,
  print,
  visit,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { FollowUpArg } from './live-fields.js';

export interface FollowUpQuery {
  document: DocumentNode;
  /** Stable text of the document: subscribers whose follow-ups print the same share one execution. */
  key: string;
  variables: Record<string, unknown>;
  responseKey: string;
}

/**
 * Turns `subscription { alias: liveField(args) { …selection } }` into
 * `query { alias: followUpField(args from the event) { …selection } }`, keeping the client's fragments and
 * variables, so the follow-up goes through the same planner, rules and subgraphs as any query.
 */
export function buildFollowUp(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rootField: FieldNode,
  followUp: { field: string; args: Record<string, FollowUpArg> },
  variables: Record<string, unknown>,
): FollowUpQuery {
  const responseKey = rootField.alias?.value ?? rootField.name.value;
  const extraDefs: VariableDefinitionNode[] = [];
  const args = Object.entries(followUp.args).map(([name, arg]) => {
    const variable = `__live_${name}`;
    extraDefs.push({
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variable } },
      type: parseType(arg.type),
    });
    const value: ValueNode = { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variable } };
    return { kind: Kind.ARGUMENT as const, name: { kind: Kind.NAME as const, value: name }, value };
  });
  const field: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: responseKey },
    name: { kind: Kind.NAME, value: followUp.field },
    arguments: args,
    directives: rootField.directives,
    selectionSet: rootField.selectionSet,
  };
  const usedVariables = new Set<string>();
  const collect = (node: ASTNode): void => {
    visit(node, { Variable: (v) => void usedVariables.add(v.name.value) });
  };
  if (rootField.selectionSet) collect(rootField.selectionSet);
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  fragments.forEach(collect);
  const keptDefs = (operation.variableDefinitions ?? []).filter((d) => usedVariables.has(d.variable.name.value));
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    name: { kind: Kind.NAME, value: 'LiveFollowUp' },
    variableDefinitions: [...keptDefs, ...extraDefs],
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
  };
  const followUpDocument: DocumentNode = { kind: Kind.DOCUMENT, definitions: [query, ...fragments] };
  const vars: Record<string, unknown> = {};
  for (const def of keptDefs)
    if (def.variable.name.value in variables) vars[def.variable.name.value] = variables[def.variable.name.value];
  for (const [name, arg] of Object.entries(followUp.args)) vars[`__live_${name}`] = arg.value;
  return { document: followUpDocument, key: print(followUpDocument), variables: vars, responseKey };
}
