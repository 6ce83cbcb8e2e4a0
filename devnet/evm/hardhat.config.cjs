// Hardhat 2 config for the local EVM devnet. Used only to run `hardhat node` (see local-chain.ts):
// contracts are compiled with solc-js by compile.ts, so Hardhat never downloads a compiler.
const os = require('node:os');
const path = require('node:path');

const chainId = Number(process.env.DEVNET_EVM_CHAIN_ID || 31337);
if (!Number.isSafeInteger(chainId) || chainId <= 0) {
  throw new Error(`DEVNET_EVM_CHAIN_ID must be a positive integer, got ${process.env.DEVNET_EVM_CHAIN_ID}`);
}
const scratch = path.join(os.tmpdir(), 'devnet-evm-hardhat');

/** @type {import('hardhat/config').HardhatUserConfig} */
module.exports = {
  solidity: '0.8.28',
  paths: {
    root: __dirname,
    sources: path.join(__dirname, 'contracts'),
    cache: path.join(scratch, 'cache'),
    artifacts: path.join(scratch, 'artifacts'),
  },
  networks: {
    hardhat: {
      chainId,
      // Hardhat's default test accounts (mnemonic "test test … junk"), 10 000 ETH each.
      accounts: { count: 10 },
      mining: { auto: true, interval: 0 },
      loggingEnabled: false,
    },
  },
};
