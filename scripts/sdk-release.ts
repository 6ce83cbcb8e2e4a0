import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import {
  CHANGELOG,
  CURRENT_SCHEMA,
  RELEASED_SCHEMA,
  RELEASED_VERSION,
  changelogEntry,
  formatVersion,
  nextVersion,
  parseVersion,
  schemaChanges,
} from './sdk/schema-changes.js';

/**
 * npm run sdk:release [-- --major]: releases clients/sdk/schema.graphql. Diffs it with the last released schema,
 * picks the next version (minor for additions, major for breaking changes, which need --major), prepends the
 * changes to clients/sdk/CHANGELOG.md grouped breaking / dangerous / safe, writes the version and copies the schema
 * to clients/sdk/released/. Nothing to release: says so and writes nothing.
 */
const allowMajor = process.argv.includes('--major');
const released = readFileSync(RELEASED_SCHEMA, 'utf8');
const current = readFileSync(CURRENT_SCHEMA, 'utf8');
const { version } = JSON.parse(readFileSync(RELEASED_VERSION, 'utf8')) as { version: string };
const changes = await schemaChanges(released, current);
let next;
try {
  next = nextVersion(parseVersion(version), changes, allowMajor);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
if (!next) {
  console.log(`nothing to release: the schema equals the released SDK ${version}`);
  process.exit(0);
}
const HEADING = '# SDK changelog\n\n';
const log = readFileSync(CHANGELOG, 'utf8');
const rest = log.startsWith(HEADING) ? log.slice(HEADING.length) : log;
writeFileSync(CHANGELOG, HEADING + changelogEntry(next, new Date(), changes) + rest);
writeFileSync(RELEASED_VERSION, `${JSON.stringify({ version: formatVersion(next) }, null, 2)}\n`);
copyFileSync(CURRENT_SCHEMA, RELEASED_SCHEMA);
console.log(
  `released SDK ${formatVersion(next)}: ${changes.breaking.length} breaking, ${changes.dangerous.length} dangerous, ${changes.safe.length} safe`,
);
