// Child-process entry for startLocalEvmChain(): runs `hardhat node` in-process through the Hardhat
// runtime (no CLI: no telemetry prompt, banner or update check), and exits as soon as the parent's
// stdin pipe closes, so a killed test runner never leaves a chain behind.
'use strict';

process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

const hostname = process.env.DEVNET_EVM_HOST || '127.0.0.1';
const port = Number(process.env.DEVNET_EVM_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('DEVNET_EVM_PORT must be set to a TCP port');
  process.exit(2);
}

const hre = require('hardhat');
hre.run('node', { hostname, port }).catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
