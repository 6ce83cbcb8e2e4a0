import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RELEASED_SCHEMA,
  changelogEntry,
  nextVersion,
  release,
  schemaChanges,
  unreleasedChanges,
} from './schema-changes.js';

const RELEASED = `
type Query {
  me: User!
  prices(symbols: [String!]!, quote: Quote!): [Price]!
}
type User { id: ID! username: String level: Int! }
type Price { symbol: String! value: String! }
enum Quote { USD IRT }
`;

const v1 = { major: 1, minor: 2, patch: 0 };

describe('the SDK breaking-change check', () => {
  it('a removed field is breaking: no minor release, a major one bumps 1.2.0 → 2.0.0', async () => {
    const changes = await schemaChanges(RELEASED, RELEASED.replace('username: String ', ''));
    expect(changes.breaking.map((c) => c.type)).toEqual(['FIELD_REMOVED']);
    expect(() => nextVersion(v1, changes, false)).toThrow("Field 'username' was removed from object type 'User'");
    expect(nextVersion(v1, changes, true)).toEqual({ major: 2, minor: 0, patch: 0 });
  });

  it('a changed argument type is breaking', async () => {
    const changes = await schemaChanges(RELEASED, RELEASED.replace('quote: Quote!', 'quote: String!'));
    expect(changes.breaking.map((c) => c.type)).toEqual(['FIELD_ARGUMENT_TYPE_CHANGED']);
    expect(() => nextVersion(v1, changes, false)).toThrow(/breaking changes need a major release/);
  });

  it('a removed enum value and a new required argument are breaking', async () => {
    const changes = await schemaChanges(
      RELEASED,
      RELEASED.replace('enum Quote { USD IRT }', 'enum Quote { USD }').replace('me: User!', 'me(id: ID!): User!'),
    );
    expect(changes.breaking.map((c) => c.type).sort()).toEqual(['ENUM_VALUE_REMOVED', 'FIELD_ARGUMENT_ADDED']);
  });

  it('an added optional field passes as a minor release; an added optional argument or enum value is dangerous, still minor', async () => {
    const changes = await schemaChanges(
      RELEASED,
      RELEASED.replace('level: Int!', 'level: Int! photoUrl: String')
        .replace('me: User!', 'me(locale: String): User!')
        .replace('enum Quote { USD IRT }', 'enum Quote { USD IRT EUR }'),
    );
    expect(changes.breaking).toEqual([]);
    expect(changes.safe.map((c) => c.type)).toEqual(['FIELD_ADDED']);
    expect(changes.dangerous.map((c) => c.type).sort()).toEqual(['ENUM_VALUE_ADDED', 'FIELD_ARGUMENT_ADDED']);
    expect(nextVersion(v1, changes, false)).toEqual({ major: 1, minor: 3, patch: 0 });
  });

  it('no change, no release', async () => {
    expect(nextVersion(v1, await schemaChanges(RELEASED, RELEASED), false)).toBeNull();
  });

  it('the changelog entry groups the changes breaking / dangerous / safe', async () => {
    const changes = await schemaChanges(
      RELEASED,
      RELEASED.replace('username: String ', '').replace('enum Quote { USD IRT }', 'enum Quote { USD IRT EUR }'),
    );
    const entry = changelogEntry({ major: 2, minor: 0, patch: 0 }, new Date('2026-12-07T10:00:00Z'), changes);
    expect(entry).toBe(
      "## 2.0.0 (2026-12-07)\n\n### Breaking\n\n- Field 'username' was removed from object type 'User'\n\n" +
        "### Dangerous\n\n- Enum value 'EUR' was added to enum 'Quote'\n\n",
    );
  });

  it('the committed schema does not break the released SDK (what CI runs as npm run sdk:check)', async () => {
    const { changes, version } = await unreleasedChanges();
    expect(
      changes.breaking.map((c) => c.message),
      `breaks SDK ${version}`,
    ).toEqual([]);
  });

  it('npm run sdk:check exits 1 naming a breaking change of the real schema, 0 for an addition', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdk-check-'));
    try {
      const released = readFileSync(RELEASED_SCHEMA, 'utf8');
      const signOut =
        '  """End the viewer\'s session (all its refresh tokens and access tokens)."""\n  signOut: Boolean!\n';
      expect(released).toContain(signOut);
      const broken = join(dir, 'broken.graphql');
      writeFileSync(broken, released.replace(signOut, ''));
      const run = (current: string) =>
        spawnSync('npx', ['tsx', 'scripts/sdk-check.ts', '--current', current], { encoding: 'utf8' });
      const failed = run(broken);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toContain("Field 'signOut' was removed from object type 'Mutation'");
      const added = join(dir, 'added.graphql');
      writeFileSync(added, released.replace('  signOut: Boolean!\n', '  signOut: Boolean!\n  ping: String\n'));
      const passed = run(added);
      expect(passed.status).toBe(0);
      expect(passed.stdout).toContain('unreleased: 0 dangerous, 1 safe');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a release prepends the changes to the changelog, bumps the version and makes the schema the released one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdk-release-'));
    try {
      const files = {
        current: join(dir, 'schema.graphql'),
        released: join(dir, 'released.graphql'),
        version: join(dir, 'version.json'),
        changelog: join(dir, 'CHANGELOG.md'),
      };
      writeFileSync(files.released, RELEASED);
      writeFileSync(files.version, '{ "version": "1.2.0" }\n');
      writeFileSync(files.changelog, '# SDK changelog\n\n## 1.2.0 (2026-11-01)\n\nearlier\n');
      const date = new Date('2026-12-07T10:00:00Z');

      writeFileSync(files.current, RELEASED.replace('level: Int!', 'level: Int! photoUrl: String'));
      expect((await release(files, { allowMajor: false, date }))?.version).toBe('1.3.0');
      expect(readFileSync(files.changelog, 'utf8')).toBe(
        "# SDK changelog\n\n## 1.3.0 (2026-12-07)\n\n### Safe\n\n- Field 'photoUrl' was added to object type 'User'\n\n" +
          '## 1.2.0 (2026-11-01)\n\nearlier\n',
      );
      expect(readFileSync(files.released, 'utf8')).toBe(readFileSync(files.current, 'utf8'));
      expect(await release(files, { allowMajor: false, date })).toBeNull();

      writeFileSync(files.current, readFileSync(files.released, 'utf8').replace('username: String ', ''));
      await expect(release(files, { allowMajor: false, date })).rejects.toThrow(/need a major release/);
      expect(JSON.parse(readFileSync(files.version, 'utf8'))).toEqual({ version: '1.3.0' });
      expect((await release(files, { allowMajor: true, date }))?.version).toBe('2.0.0');
      expect(readFileSync(files.changelog, 'utf8')).toMatch(
        /^# SDK changelog\n\n## 2\.0\.0 \(2026-12-07\)\n\n### Breaking\n\n- Field 'username' was removed/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
