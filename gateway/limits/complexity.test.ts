import { parse, getOperationAST } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkLimits, measure } from './complexity.js';

function of(query: string, variables: Record<string, unknown> = {}) {
  const doc = parse(query);
  return measure(doc, getOperationAST(doc)!, variables);
}

describe('measure', () => {
  it('counts depth through fragments and inline fragments', () => {
    expect(of('{ me { id } }').depth).toBe(2);
    expect(of('{ me { ...F } } fragment F on User { settings { ... on UserSettings { language } } }').depth).toBe(3);
  });

  it('counts aliases, and multiplies cost by page sizes (literal or variable)', () => {
    expect(of('{ a: me { id } b: me { id } }').aliases).toBe(2);
    expect(of('{ users(first: 10) { edges { node { id } } } }').cost).toBe(1 + 10 * 3);
    expect(of('query($n: Int) { users(first: $n) { edges { node { id } } } }', { n: 50 }).cost).toBe(1 + 50 * 3);
  });

  it('cuts fragment cycles instead of looping', () => {
    expect(of('{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A id }').depth).toBe(2);
  });

  it('reports the first exceeded limit', () => {
    expect(checkLimits({ depth: 11, aliases: 0, cost: 1 }, { maxDepth: 10, maxAliases: 5, maxCost: 100 })).toEqual({
      limit: 'depth',
      max: 10,
      actual: 11,
    });
    expect(checkLimits({ depth: 1, aliases: 0, cost: 101 }, { maxDepth: 10, maxAliases: 5, maxCost: 100 })).toEqual({
      limit: 'cost',
      max: 100,
      actual: 101,
    });
    expect(checkLimits({ depth: 1, aliases: 5, cost: 1 }, { maxDepth: 10, maxAliases: 5, maxCost: 100 })).toBeNull();
  });
});
