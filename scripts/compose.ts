import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { generateSdk } from '../codegen.js';
import { compose, currentSubgraphSdl, schemaFileOf, SUPERGRAPH_FILE } from './supergraph.js';

/**
 * npm run compose: writes each subgraph's schema.graphql from its code, then supergraph.graphql, then the
 * SDK (clients/sdk: published schema + typed documents).
 * npm run compose -- --check: exits 1 if any committed file differs from what the code produces.
 */
const check = process.argv.includes('--check');
const sdl = await currentSubgraphSdl();
const stale: string[] = [];
const write = (file: URL, text: string) => {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* new file */
  }
  if (current === text) return;
  stale.push(file.pathname);
  if (!check) writeFileSync(file, text);
};
for (const [name, text] of sdl) write(schemaFileOf(name), text);
write(SUPERGRAPH_FILE, compose(sdl));
// The SDK is generated from the supergraph just written (in --check mode, from the committed one).
const sdk = await generateSdk();
write(new URL('../clients/sdk/schema.graphql', import.meta.url), sdk.schemaSdl);
write(new URL('../clients/sdk/index.ts', import.meta.url), sdk.sdkSource);

if (check && stale.length) {
  console.error(`stale generated schema files (run npm run compose):\n${stale.map((f) => `  ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(stale.length ? `updated:\n${stale.map((f) => `  ${f}`).join('\n')}` : 'schemas up to date');
