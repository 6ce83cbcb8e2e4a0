import { readFileSync } from 'node:fs';
import { buildSchema, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { permissions } from '../../gateway/permissions/permissions.js';

/**
 * The gateway denies whatever its permission map does not list (fallback deny). That is the safe failure, but a
 * field added to a subgraph and forgotten here would be refused to everyone: every field of the published API
 * schema must have a rule, and every root field its own one (no wildcard on Query, Mutation or Subscription).
 */
const api = buildSchema(readFileSync(new URL('../../clients/sdk/schema.graphql', import.meta.url), 'utf8'));
const ROOTS = ['Query', 'Mutation', 'Subscription'];

describe('permission map contract', () => {
  it('names a rule for every root field, one by one', () => {
    const missing: string[] = [];
    for (const root of ROOTS) {
      const type = api.getType(root);
      if (!isObjectType(type)) continue;
      expect(permissions[root]?.['*'], `${root} must not have a wildcard rule`).toBeUndefined();
      for (const field of Object.keys(type.getFields()))
        if (!permissions[root]?.[field]) missing.push(`${root}.${field}`);
    }
    expect(missing).toEqual([]);
  });

  it('covers every field of every other object type (a wildcard or a rule per field)', () => {
    const missing: string[] = [];
    for (const type of Object.values(api.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || ROOTS.includes(type.name)) continue;
      const rules = permissions[type.name] ?? {};
      for (const field of Object.keys(type.getFields()))
        if (!rules['*'] && !rules[field]) missing.push(`${type.name}.${field}`);
    }
    expect(missing).toEqual([]);
  });

  it('lists nothing the schema does not have (a stale rule hides a renamed field)', () => {
    const stale: string[] = [];
    for (const [typeName, rules] of Object.entries(permissions)) {
      const type = api.getType(typeName);
      if (!isObjectType(type)) {
        stale.push(typeName);
        continue;
      }
      for (const field of Object.keys(rules))
        if (field !== '*' && !type.getFields()[field]) stale.push(`${typeName}.${field}`);
    }
    expect(stale).toEqual([]);
  });
});
