/**
 * A local EVM chain for dev and tests: `hardhat node` (Hardhat 2) in a child process on a free
 * 127.0.0.1 port. Killed by stop(), when this process exits, and — through its stdin pipe — even
 * when this process is killed outright.
 *
 *   const chain = await startLocalEvmChain({ chainId: 31337 });
 *   const token = await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey);
 *   await chain.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { hex } from '@scure/base';
import { ContractFactory, Contract, JsonRpcProvider, Wallet, computeAddress } from 'ethers';

const require = createRequire(import.meta.url);
const CONFIG_PATH = fileURLToPath(new URL('./hardhat.config.cjs', import.meta.url));
const RUNNER_PATH = fileURLToPath(new URL('./hardhat-node.runner.cjs', import.meta.url));
const ARTIFACT_PATH = fileURLToPath(new URL('./tether-token.artifact.json', import.meta.url));

/** Hardhat's default account mnemonic; these keys are public knowledge and hold only devnet ETH. */
const HARDHAT_MNEMONIC = 'test test test test test test test test test test test junk';
const ACCOUNT_COUNT = 10;

export interface DevAccount {
  address: string;
  privateKey: string;
}

export interface LocalEvmChain {
  rpcUrl: string;
  chainId: number;
  /** Funded accounts (10 000 ETH each), Hardhat's defaults. */
  accounts: DevAccount[];
  stop(): Promise<void>;
}

export interface StartLocalEvmChainOptions {
  chainId?: number;
  /** A fixed port (the devnet's); default a free one. */
  port?: number;
  /** How long to wait for the node to answer JSON-RPC; default 60 s. */
  startTimeoutMs?: number;
}

/** Hardhat's default accounts (public test keys), as every devnet chain funds them. */
export function hardhatAccounts(): DevAccount[] {
  const root = HDKey.fromMasterSeed(mnemonicToSeedSync(HARDHAT_MNEMONIC));
  return Array.from({ length: ACCOUNT_COUNT }, (_, i) => {
    const node = root.derive(`m/44'/60'/0'/0/${i}`);
    const privateKey = '0x' + hex.encode(node.privateKey!);
    return { address: computeAddress(privateKey), privateKey };
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) =>
      reject(
        new Error(
          `port ${port} is taken (${(error as NodeJS.ErrnoException).code ?? error.message}): is another devnet chain running?`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** The node answered the JSON-RPC call with an error (its message as is). */
export class JsonRpcError extends Error {}

/** One JSON-RPC call to a local chain (no retries); `timeoutMs` unset: no time limit. */
export async function rpc<T = unknown>(
  rpcUrl: string,
  method: string,
  params: unknown[] = [],
  timeoutMs?: number,
): Promise<T> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new JsonRpcError(body.error.message);
  return body.result as T;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function startOnce(chainId: number, port: number, timeoutMs: number): Promise<LocalEvmChain> {
  const rpcUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [RUNNER_PATH], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: {
      ...process.env,
      HARDHAT_CONFIG: CONFIG_PATH,
      HARDHAT_NETWORK: 'hardhat',
      HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
      HARDHAT_HIDE_SOLIDITY_SURVEY_MESSAGE: 'true',
      DEVNET_EVM_CHAIN_ID: String(chainId),
      DEVNET_EVM_HOST: '127.0.0.1',
      DEVNET_EVM_PORT: String(port),
      NODE_OPTIONS: '',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  installExitHook();
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', () => running.delete(child));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      child.kill('SIGTERM');
      await waitForExit(child, 5_000);
    }
    running.delete(child);
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`hardhat node exited early (code ${child.exitCode ?? child.signalCode}):\n${log}`);
    }
    try {
      const answered = await rpc<string>(rpcUrl, 'eth_chainId', [], 2_000);
      if (Number(answered) !== chainId) {
        await stop();
        throw new Error(`chain at ${rpcUrl} reports chainId ${answered}, expected ${chainId}`);
      }
      return { rpcUrl, chainId, accounts: hardhatAccounts(), stop };
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('chain at')) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stop();
  throw new Error(`hardhat node did not answer on ${rpcUrl} within ${timeoutMs} ms:\n${log}`);
}

/** Starts `hardhat node` on a free port and resolves once it answers eth_chainId. */
export async function startLocalEvmChain(options: StartLocalEvmChainOptions = {}): Promise<LocalEvmChain> {
  const chainId = options.chainId ?? 31337;
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new RangeError('chainId must be a positive integer');
  require.resolve('hardhat'); // fail fast with a clear error when the dev dependency is missing
  let lastError: unknown;
  if (options.port !== undefined) {
    // Something else answering on the port would pass for our node: refuse a port that is taken.
    await assertPortFree(options.port);
    return startOnce(chainId, options.port, options.startTimeoutMs ?? 60_000);
  }
  // A port found free can be taken before the child binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(chainId, await freePort(), options.startTimeoutMs ?? 60_000);
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error) || !/EADDRINUSE|exited early/u.test(error.message)) throw error;
    }
  }
  throw lastError;
}

/**
 * Stops a local chain and starts a fresh one from genesis on the same port with the same chain id, as every
 * `npm start` does with the devnet chains: same URL and accounts, a new chain (new genesis hash, height 0).
 * Hardhat dates its genesis block to the second it starts, so a restart within the old genesis's second would
 * rebuild the very same genesis: it waits for the next second first.
 */
export async function restartLocalEvmChain(
  chain: LocalEvmChain,
  options: Pick<StartLocalEvmChainOptions, 'startTimeoutMs'> = {},
): Promise<LocalEvmChain> {
  const genesis = await rpc<{ timestamp: string }>(chain.rpcUrl, 'eth_getBlockByNumber', ['0x0', false]);
  await chain.stop();
  const nextSecondMs = (Number(BigInt(genesis.timestamp)) + 1) * 1000;
  if (Date.now() < nextSecondMs) await new Promise((resolve) => setTimeout(resolve, nextSecondMs - Date.now()));
  const port = Number(new URL(chain.rpcUrl).port);
  return startLocalEvmChain({ chainId: chain.chainId, port, ...options });
}

/** A JSON-RPC provider suited to a local automining chain: no read cache, fast polling. */
export function localProvider(rpcUrl: string): JsonRpcProvider {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, polling: true, staticNetwork: false });
  provider.pollingInterval = 50;
  return provider;
}

interface TokenArtifact {
  abi: ConstructorParameters<typeof ContractFactory>[0];
  bytecode: string;
}

export function tetherTokenArtifact(): TokenArtifact {
  return JSON.parse(readFileSync(ARTIFACT_PATH, 'utf8')) as TokenArtifact;
}

export interface DeployTestTokenOptions {
  name?: string;
  symbol?: string;
  /** 6 like USDT on ETH/TRON; 18 to mimic USDT on BSC. */
  decimals?: number;
}

/** Deploys the USDT-like TetherToken from the committed artifact; returns its address. */
export async function deployTestToken(
  rpcUrl: string,
  deployerKey: string,
  options: DeployTestTokenOptions = {},
): Promise<string> {
  const provider = localProvider(rpcUrl);
  try {
    const { abi, bytecode } = tetherTokenArtifact();
    const factory = new ContractFactory(abi, bytecode, new Wallet(deployerKey, provider));
    const contract = await factory.deploy(
      options.name ?? 'Tether USD',
      options.symbol ?? 'USDT',
      options.decimals ?? 6,
    );
    await contract.waitForDeployment();
    return await contract.getAddress();
  } finally {
    provider.destroy();
  }
}

/** Owner-only mint of `amount` minor units to `to`; resolves when mined. */
export async function mintTestToken(
  rpcUrl: string,
  ownerKey: string,
  token: string,
  to: string,
  amount: bigint,
): Promise<void> {
  const provider = localProvider(rpcUrl);
  try {
    const contract = new Contract(token, tetherTokenArtifact().abi, new Wallet(ownerKey, provider));
    const mint = contract.getFunction('mint');
    const tx = (await mint(to, amount)) as { wait(): Promise<unknown> };
    await tx.wait();
  } finally {
    provider.destroy();
  }
}
