import { getOperationAST, Kind, parse, print, type FieldNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildFollowUp } from './follow-up.js';

describe('buildFollowUp', () => {
  it('turns the subscription field into the follow-up query with the same selection, alias, fragments and used variables', () => {
    const doc = parse(
      `subscription S($lang: Boolean!, $unused: Int) { mine: meUpdated { id ...F settings @include(if: $lang) { language } } } fragment F on User { level }`,
    );
    const op = getOperationAST(doc)!;
    const root = op.selectionSet.selections[0] as FieldNode;
    const built = buildFollowUp(
      doc,
      op,
      root,
      { field: 'deposit', args: { id: { type: 'ID!', value: 'dep_1' } } },
      { lang: true, unused: 3 },
    );
    expect(built.responseKey).toBe('mine');
    expect(built.variables).toEqual({ lang: true, __live_id: 'dep_1' });
    expect(print(built.document)).toBe(
      print(
        parse(
          `query LiveFollowUp($lang: Boolean!, $__live_id: ID!) { mine: deposit(id: $__live_id) { id ...F settings @include(if: $lang) { language } } } fragment F on User { level }`,
        ),
      ),
    );
    expect(built.document.definitions[0]!.kind).toBe(Kind.OPERATION_DEFINITION);
  });
});
