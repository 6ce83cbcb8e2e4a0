import { generateInternalTokenKeys } from '../platform/config/config.js';

/**
 * npm run -s keys:internal-token
 * Prints a fresh Ed25519 key pair for the internal context as two .env lines (PEM on one line, \n escaped):
 * INTERNAL_TOKEN_PRIVATE_KEY goes to the gateway only, INTERNAL_TOKEN_PUBLIC_KEY to every subgraph.
 */
for (const [name, value] of Object.entries(generateInternalTokenKeys())) process.stdout.write(`${name}="${value}"\n`);
