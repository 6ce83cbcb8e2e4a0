import { release, SDK_FILES } from './sdk/schema-changes.js';

/**
 * npm run sdk:release [-- --major]: releases clients/sdk/schema.graphql. Diffs it with the last released schema,
 * picks the next version (minor for additions, major for breaking changes, which need --major), prepends the
 * changes to clients/sdk/CHANGELOG.md grouped breaking / dangerous / safe, writes the version and copies the schema
 * to clients/sdk/released/. Nothing to release: says so and writes nothing.
 */
try {
  const done = await release(SDK_FILES, { allowMajor: process.argv.includes('--major'), date: new Date() });
  if (!done) console.log('nothing to release: the schema equals the released SDK');
  else {
    const { breaking, dangerous, safe } = done.changes;
    console.log(
      `released SDK ${done.version}: ${breaking.length} breaking, ${dangerous.length} dangerous, ${safe.length} safe`,
    );
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
