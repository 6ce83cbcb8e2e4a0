/**
 * Compiles contracts/TetherToken.sol with solc-js (the `solc` npm package: WebAssembly, offline)
 * and writes the committed artifact tether-token.artifact.json (abi + bytecode + source hash).
 *
 *   npm run devnet:evm:compile
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

export const TETHER_TOKEN_SOURCE_PATH = fileURLToPath(new URL('./contracts/TetherToken.sol', import.meta.url));
export const TETHER_TOKEN_ARTIFACT_PATH = fileURLToPath(new URL('./tether-token.artifact.json', import.meta.url));

const SOURCE_NAME = 'contracts/TetherToken.sol';
const CONTRACT_NAME = 'TetherToken';
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  sourceSha256: string;
  compiler: { version: string; settings: typeof SETTINGS };
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}

export function sourceSha256(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

export function compileTetherToken(): ContractArtifact {
  const source = readFileSync(TETHER_TOKEN_SOURCE_PATH, 'utf8');
  const input = { language: 'Solidity', sources: { [SOURCE_NAME]: { content: source } }, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contract = output.contracts?.[SOURCE_NAME]?.[CONTRACT_NAME];
  if (!contract) throw new Error(`solc produced no ${CONTRACT_NAME}`);
  return {
    contractName: CONTRACT_NAME,
    sourceName: SOURCE_NAME,
    sourceSha256: sourceSha256(source),
    compiler: { version: solc.version(), settings: SETTINGS },
    abi: contract.abi,
    bytecode: '0x' + contract.evm.bytecode.object,
    deployedBytecode: '0x' + contract.evm.deployedBytecode.object,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const artifact = compileTetherToken();
  writeFileSync(TETHER_TOKEN_ARTIFACT_PATH, JSON.stringify(artifact, null, 2) + '\n');
  process.stdout.write(`wrote ${TETHER_TOKEN_ARTIFACT_PATH} (solc ${artifact.compiler.version})\n`);
}
