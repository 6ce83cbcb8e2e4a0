import type { FieldUse } from '../permissions/evaluate.js';

/** How much input an operation may carry; checked before the guard's other work and before any subgraph call. */
export interface InputLimits {
  /** Variables' size, counted as their JSON would be (strings by length, keys included). */
  maxVariablesBytes: number;
  /** Items in any list, in variables or arguments, unless LIST_ARGUMENT_MAXIMA says less. */
  maxListLength: number;
}

/** The configuration's defaults (GRAPHQL_MAX_VARIABLES_BYTES, GRAPHQL_MAX_LIST_LENGTH). */
export const DEFAULT_INPUT_LIMITS: InputLimits = { maxVariablesBytes: 65_536, maxListLength: 100 };

/**
 * List arguments whose subgraph refuses more items than the default: `Type.field.argument` → maximum. The
 * gateway refuses the same counts before planning, so an oversized list never travels to the subgraph.
 * Each key must name a list argument of the supergraph (input-size.test.ts checks it).
 */
export const LIST_ARGUMENT_MAXIMA: Readonly<Record<string, number>> = {
  // subgraphs/market/price/price.resolver.ts MAX_SYMBOLS
  'Query.prices.symbols': 50,
};

/** Lists and input objects nest at most this deep in variables (the schema's inputs nest 3 levels at most). */
export const MAX_VARIABLES_DEPTH = 32;

export interface InputViolation {
  limit: 'variablesBytes' | 'listLength' | 'depth';
  max: number;
  /** For variablesBytes, a lower bound: counting stops once the limit is passed. */
  actual: number;
  /** Where: the variable (`$s`, `$input.items`) or argument (`Query.prices.symbols`). */
  at: string;
}

/**
 * Walks the variables once, stopping at the first list over `maxListLength`, nesting deeper than
 * MAX_VARIABLES_DEPTH, or as soon as the size passes `maxVariablesBytes`, so refusing a 60,000-item list
 * costs a hundred steps, not 60,000.
 */
export function checkVariables(variables: Record<string, unknown>, limits: InputLimits): InputViolation | null {
  let bytes = 2;
  let violation: InputViolation | null = null;
  const walk = (value: unknown, at: string, depth: number): boolean => {
    if (typeof value === 'string') bytes += value.length + 2;
    else if (value === null || typeof value !== 'object') bytes += 8;
    else if (depth > MAX_VARIABLES_DEPTH) {
      // refused before anything recurses into it (graphql-js's coercion would overflow the stack)
      violation = { limit: 'depth', max: MAX_VARIABLES_DEPTH, actual: depth, at };
      return false;
    } else if (Array.isArray(value)) {
      if (value.length > limits.maxListLength) {
        violation = { limit: 'listLength', max: limits.maxListLength, actual: value.length, at };
        return false;
      }
      bytes += 2;
      for (const item of value) if (!walk(item, at, depth + 1)) return false;
    } else {
      bytes += 2;
      for (const [key, item] of Object.entries(value)) {
        bytes += key.length + 4;
        if (!walk(item, `${at}.${key}`, depth + 1)) return false;
      }
    }
    if (bytes > limits.maxVariablesBytes) {
      violation = { limit: 'variablesBytes', max: limits.maxVariablesBytes, actual: bytes, at };
      return false;
    }
    return true;
  };
  for (const [name, value] of Object.entries(variables)) {
    bytes += name.length + 4;
    if (!walk(value, `$${name}`, 1)) break;
  }
  return violation;
}

/** The first list argument (or list inside an input object argument) longer than its maximum. */
export function checkListArguments(
  uses: readonly FieldUse[],
  limits: InputLimits,
  maxima: Readonly<Record<string, number>> = LIST_ARGUMENT_MAXIMA,
): InputViolation | null {
  const longest = (value: unknown, at: string, max: number): InputViolation | null => {
    if (Array.isArray(value)) {
      if (value.length > max) return { limit: 'listLength', max, actual: value.length, at };
      for (const item of value) {
        const inner = longest(item, at, limits.maxListLength);
        if (inner) return inner;
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const inner = longest(item, `${at}.${key}`, limits.maxListLength);
        if (inner) return inner;
      }
    }
    return null;
  };
  for (const use of uses) {
    for (const [name, value] of Object.entries(use.args)) {
      const at = `${use.typeName}.${use.fieldName}.${name}`;
      const violation = longest(value, at, Math.min(maxima[at] ?? limits.maxListLength, limits.maxListLength));
      if (violation) return violation;
    }
  }
  return null;
}

export function describeViolation(v: InputViolation): string {
  if (v.limit === 'listLength') return `${v.at} has ${v.actual} items; at most ${v.max} are allowed`;
  if (v.limit === 'depth') return `${v.at} nests lists or objects deeper than ${v.max} levels`;
  return `Variables are larger than ${v.max} bytes (at ${v.at})`;
}
