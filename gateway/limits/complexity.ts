import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

export interface Complexity {
  depth: number;
  aliases: number;
  cost: number;
}

export interface LimitViolation {
  limit: 'depth' | 'aliases' | 'cost';
  max: number;
  actual: number;
}

const PAGE_ARGS = ['first', 'last', 'limit'];
const DEFAULT_LIST_SIZE = 1;
const MAX_FRAGMENT_EXPANSION = 10_000;

function pageSize(
  args: readonly { name: { value: string }; value: ValueNode }[] | undefined,
  variables: Record<string, unknown>,
): number {
  for (const arg of args ?? []) {
    if (!PAGE_ARGS.includes(arg.name.value)) continue;
    if (arg.value.kind === Kind.INT) return Math.max(1, Number(arg.value.value));
    if (arg.value.kind === Kind.VARIABLE) {
      const v = variables[arg.value.name.value];
      if (typeof v === 'number' && Number.isFinite(v)) return Math.max(1, v);
    }
  }
  return DEFAULT_LIST_SIZE;
}

/**
 * Measures an operation with fragments expanded (cycles cut): its depth, how many aliases it uses, and
 * its cost (each field costs 1, multiplied by the page size of every enclosing paginated field).
 */
export function measure(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Complexity {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  let aliases = 0;
  let expansions = 0;
  const walk = (
    set: SelectionSetNode,
    depth: number,
    multiplier: number,
    active: Set<string>,
  ): { depth: number; cost: number } => {
    let maxDepth = depth;
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        if (selection.alias) aliases++;
        const fieldCost = multiplier;
        cost += fieldCost;
        if (selection.selectionSet) {
          const inner = walk(
            selection.selectionSet,
            depth + 1,
            multiplier * pageSize(selection.arguments, variables),
            active,
          );
          maxDepth = Math.max(maxDepth, inner.depth);
          cost += inner.cost;
        } else {
          maxDepth = Math.max(maxDepth, depth + 1);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = walk(selection.selectionSet, depth, multiplier, active);
        maxDepth = Math.max(maxDepth, inner.depth);
        cost += inner.cost;
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || active.has(name) || ++expansions > MAX_FRAGMENT_EXPANSION) continue;
        active.add(name);
        const inner = walk(fragment.selectionSet, depth, multiplier, active);
        active.delete(name);
        maxDepth = Math.max(maxDepth, inner.depth);
        cost += inner.cost;
      }
    }
    return { depth: maxDepth, cost };
  };
  const result = walk(operation.selectionSet, 0, 1, new Set());
  return {
    depth: result.depth,
    aliases,
    cost: expansions > MAX_FRAGMENT_EXPANSION ? Number.MAX_SAFE_INTEGER : result.cost,
  };
}

export function checkLimits(complexity: Complexity, limits: QueryLimits): LimitViolation | null {
  if (complexity.depth > limits.maxDepth) return { limit: 'depth', max: limits.maxDepth, actual: complexity.depth };
  if (complexity.aliases > limits.maxAliases)
    return { limit: 'aliases', max: limits.maxAliases, actual: complexity.aliases };
  if (complexity.cost > limits.maxCost) return { limit: 'cost', max: limits.maxCost, actual: complexity.cost };
  return null;
}
