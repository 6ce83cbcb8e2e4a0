import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';

/**
 * The SDK's compatibility rule, in one place (clients/sdk/README.md explains it to people):
 *  - the contract partners build on is the last released schema, `clients/sdk/released/schema.graphql`, at the
 *    version in `clients/sdk/released/version.json`;
 *  - the current `clients/sdk/schema.graphql` may add to it freely (safe and dangerous changes: a minor release);
 *  - a BREAKING change (a removed field/type/enum value, a changed argument or field type, a new required
 *    argument, …) fails `npm run sdk:check` until it is released as a new MAJOR version
 *    (`npm run sdk:release -- --major`), which writes it to the changelog and makes it the new contract.
 */

export const SDK_DIR = new URL('../../clients/sdk/', import.meta.url);
export const CURRENT_SCHEMA = new URL('schema.graphql', SDK_DIR);
export const RELEASED_SCHEMA = new URL('released/schema.graphql', SDK_DIR);
export const RELEASED_VERSION = new URL('released/version.json', SDK_DIR);
export const CHANGELOG = new URL('CHANGELOG.md', SDK_DIR);

export type Level = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChanges {
  breaking: Change[];
  dangerous: Change[];
  safe: Change[];
}

/** Every difference between two SDLs, grouped by what it does to existing clients. */
export async function schemaChanges(releasedSdl: string, currentSdl: string): Promise<SchemaChanges> {
  const changes = await diff(buildSchema(releasedSdl), buildSchema(currentSdl));
  const byLevel = (level: CriticalityLevel) =>
    changes.filter((c) => c.criticality.level === level).sort((a, b) => a.message.localeCompare(b.message));
  return {
    breaking: byLevel(CriticalityLevel.Breaking),
    dangerous: byLevel(CriticalityLevel.Dangerous),
    safe: byLevel(CriticalityLevel.NonBreaking),
  };
}

export function hasChanges(changes: SchemaChanges): boolean {
  return changes.breaking.length + changes.dangerous.length + changes.safe.length > 0;
}

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(text: string): Version {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`not a version: ${text}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/**
 * The version a release of these changes gets: breaking → next major (only when `allowMajor`, otherwise an error
 * naming the changes), anything else → next minor; null when nothing changed.
 */
export function nextVersion(current: Version, changes: SchemaChanges, allowMajor: boolean): Version | null {
  if (changes.breaking.length) {
    if (!allowMajor)
      throw new Error(
        `breaking changes need a major release (npm run sdk:release -- --major):\n${listChanges(changes.breaking)}`,
      );
    return { major: current.major + 1, minor: 0, patch: 0 };
  }
  if (!hasChanges(changes)) return null;
  return { major: current.major, minor: current.minor + 1, patch: 0 };
}

export function listChanges(changes: Change[]): string {
  return changes.map((c) => `  - ${c.message}`).join('\n');
}

/** One changelog entry: the version, the date and the changes grouped breaking / dangerous / safe. */
export function changelogEntry(version: Version, date: Date, changes: SchemaChanges): string {
  const section = (title: string, list: Change[]) =>
    list.length ? `### ${title}\n\n${list.map((c) => `- ${c.message}`).join('\n')}\n\n` : '';
  return (
    `## ${formatVersion(version)} (${date.toISOString().slice(0, 10)})\n\n` +
    section('Breaking', changes.breaking) +
    section('Dangerous', changes.dangerous) +
    section('Safe', changes.safe)
  );
}

/** What `npm run sdk:check` compares: the current schema against the released one (other files for tests). */
export async function unreleasedChanges(
  files: { current?: URL | string; released?: URL | string } = {},
): Promise<{ changes: SchemaChanges; version: string }> {
  const released = readFileSync(files.released ?? RELEASED_SCHEMA, 'utf8');
  const current = readFileSync(files.current ?? CURRENT_SCHEMA, 'utf8');
  const { version } = JSON.parse(readFileSync(RELEASED_VERSION, 'utf8')) as { version: string };
  return { changes: await schemaChanges(released, current), version };
}

export interface ReleaseFiles {
  current: URL | string;
  released: URL | string;
  version: URL | string;
  changelog: URL | string;
}

export const SDK_FILES: ReleaseFiles = {
  current: CURRENT_SCHEMA,
  released: RELEASED_SCHEMA,
  version: RELEASED_VERSION,
  changelog: CHANGELOG,
};

const CHANGELOG_HEADING = '# SDK changelog\n\n';

/**
 * `npm run sdk:release`: diffs the current schema with the released one, picks the next version (`nextVersion`),
 * prepends the entry to the changelog, writes the version and copies the schema to released/. Null when nothing
 * changed (nothing written); throws for breaking changes without `allowMajor`.
 */
export async function release(
  files: ReleaseFiles,
  options: { allowMajor: boolean; date: Date },
): Promise<{ version: string; changes: SchemaChanges } | null> {
  const changes = await schemaChanges(readFileSync(files.released, 'utf8'), readFileSync(files.current, 'utf8'));
  const { version } = JSON.parse(readFileSync(files.version, 'utf8')) as { version: string };
  const next = nextVersion(parseVersion(version), changes, options.allowMajor);
  if (!next) return null;
  const log = readFileSync(files.changelog, 'utf8');
  const rest = log.startsWith(CHANGELOG_HEADING) ? log.slice(CHANGELOG_HEADING.length) : log;
  writeFileSync(files.changelog, CHANGELOG_HEADING + changelogEntry(next, options.date, changes) + rest);
  writeFileSync(files.version, `${JSON.stringify({ version: formatVersion(next) }, null, 2)}\n`);
  copyFileSync(files.current, files.released);
  return { version: formatVersion(next), changes };
}
