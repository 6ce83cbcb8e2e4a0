import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One copy of graphql for every importer, or type-graphql and Apollo disagree about realms.
    alias: { graphql: require.resolve('graphql').replace(/index\.js$/, 'index.js') },
  },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.tmp/**'],
    setupFiles: ['testing/setup.ts'],
    // An authorized nats-server (one user per service) for the run; NATS_URL points the tests at it. A devnet S3
    // server (TEST_S3_ENDPOINT; testing/s3.ts gives each file its own bucket).
    globalSetup: ['testing/nats-global-setup.ts', 'testing/s3-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
  },
});
