import { hasChanges, listChanges, unreleasedChanges } from './sdk/schema-changes.js';

/**
 * npm run sdk:check [-- --current <sdl file>] [--released <sdl file>]: exits 1 when clients/sdk/schema.graphql
 * (or --current) breaks the last released schema (clients/sdk/released/schema.graphql, or --released) without a
 * major release; counts the additions waiting for a release.
 */
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const { changes, version } = await unreleasedChanges({ current: arg('current'), released: arg('released') });
if (changes.breaking.length) {
  console.error(
    `clients/sdk/schema.graphql breaks the released SDK ${version}:\n${listChanges(changes.breaking)}\n` +
      'Keep the old shape (deprecate instead of removing), or release a major version: npm run sdk:release -- --major',
  );
  process.exit(1);
}
if (hasChanges(changes))
  console.log(
    `no breaking change against ${version}; unreleased: ${changes.dangerous.length} dangerous, ${changes.safe.length} safe (npm run sdk:release)`,
  );
else console.log(`schema equals the released SDK ${version}`);
