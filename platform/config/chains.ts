import { z } from 'zod';
import { usdtOf, type Network } from '../money/assets.js';
import { section, type ConfigContext } from './env.js';

/**
 * Chain endpoints and deposit-watcher settings, one block per network: the `chains` section of the processes
 * that talk to chains (wallet, chain watchers, devnet).
 *
 * Devnet (DEVNET_CHAINS, on by default outside production): every endpoint defaults to the local chains
 * `npm start` runs — hardhat nodes for ETH and BSC on DEVNET_CHAIN_PORT and the next port (devnet/evm), the
 * TronGrid and toncenter simulators on DEVNET_TRON_PORT and DEVNET_TON_PORT (devnet/chains; the defaults are
 * its fixed ports) — and the USDT contracts to the devnet ones. In production each network whose endpoint is
 * not set is off (its watcher is not started).
 */

export const NETWORK_ORDER: readonly Network[] = ['ETH', 'BSC', 'TRON', 'TON'];

/** The brief's confirmation defaults: ETH 12, BSC 15, TRON 19 (solidified), TON 1 (masterchain). */
export const DEFAULT_CONFIRMATIONS: Record<Network, number> = { ETH: 12, BSC: 15, TRON: 19, TON: 1 };
/** Poll intervals matched to block times (ETH 12 s, BSC 3 s, TRON 3 s, TON ~5 s masterchain). */
export const DEFAULT_POLL_MS: Record<Network, number> = { ETH: 3_000, BSC: 1_000, TRON: 1_000, TON: 1_000 };
/** Devnet chain ids: distinct, so a signed transaction cannot be replayed from one devnet chain to the other. */
export const DEVNET_EVM_CHAIN_IDS = { ETH: 1337, BSC: 1338 } as const;
/**
 * The devnet USDT-like token: the first contract hardhat's account #0 deploys (CREATE from
 * 0xf39F…2266 at nonce 0), which the devnet chains process deploys before anything else.
 */
export const DEVNET_EVM_USDT = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
/**
 * What each network's endpoint must be in production unless configured otherwise (a testnet): the EVM chain id
 * (EIP-155; ETH 1, BSC 56), TRON's genesis block id (`/wallet/getblockbynum {"num":0}`) and the root hash of TON's
 * masterchain zero state (toncenter v2 `getMasterchainInfo` → `init.root_hash`, base64
 * `F6OpKZKqvqeFp6CQmFomXNMfMj2EnaUSOXN+Mh+wVWk=`), as lower-case hex.
 */
export const MAINNET_CHAIN_IDENTITY = {
  ETH: { evmChainId: 1, genesisHash: null },
  BSC: { evmChainId: 56, genesisHash: null },
  TRON: { evmChainId: null, genesisHash: '00000000000000001ebf88508a03865c71d452e25f4d51194196a1d22b6653dc' },
  TON: { evmChainId: null, genesisHash: '17a3a92992aabea785a7a090985a265cd31f323d849da51239737e321fb05569' },
} as const satisfies Record<Network, { evmChainId: number | null; genesisHash: string | null }>;

const positiveInt = z.coerce.number().int().positive();
const optionalUrl = z.string().url().optional();
const startHeight = z
  .string()
  .regex(/^(head|\d+)$/, 'must be "head" or a block number')
  .optional();

/** A 256-bit hash as hex (any case, optional 0x) or base64 (TON prints its hashes that way), kept as lower-case hex. */
const hash256 = z.string().transform((value, ctx) => {
  const hexText = value.replace(/^0x/u, '');
  if (/^[0-9a-fA-F]{64}$/u.test(hexText)) return hexText.toLowerCase();
  const bytes = /^[A-Za-z0-9+/_-]{43}=?$/u.test(value)
    ? Buffer.from(value.replace(/-/gu, '+').replace(/_/gu, '/'), 'base64')
    : null;
  if (bytes?.length === 32) return bytes.toString('hex');
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a 256-bit hash (64 hex digits or base64)' });
  return z.NEVER;
});

/** The environment variables of this module. */
export const chainEnvSchema = {
  DEVNET_CHAINS: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  /** The ETH hardhat node; the BSC one listens on the next port. */
  DEVNET_CHAIN_PORT: z.coerce.number().int().min(1).max(65_534).default(8545),
  /** The TronGrid and toncenter simulators (devnet/chains/ports.ts). */
  DEVNET_TRON_PORT: z.coerce.number().int().min(1).max(65_535).default(4290),
  DEVNET_TON_PORT: z.coerce.number().int().min(1).max(65_535).default(4291),
  /** Devnet block production: a block this often on every local chain (0 = only when something is sent). */
  DEVNET_BLOCK_INTERVAL_MS: z.coerce.number().int().min(0).default(1_000),

  CHAIN_ETH_RPC_URL: optionalUrl,
  CHAIN_BSC_RPC_URL: optionalUrl,
  CHAIN_TRON_API_URL: optionalUrl,
  CHAIN_TRON_API_KEY: z.string().min(1).optional(),
  CHAIN_TON_API_URL: optionalUrl,
  CHAIN_TON_API_KEY: z.string().min(1).optional(),

  CHAIN_ETH_CONFIRMATIONS: positiveInt.max(10_000).default(DEFAULT_CONFIRMATIONS.ETH),
  CHAIN_BSC_CONFIRMATIONS: positiveInt.max(10_000).default(DEFAULT_CONFIRMATIONS.BSC),
  CHAIN_TRON_CONFIRMATIONS: positiveInt.max(10_000).default(DEFAULT_CONFIRMATIONS.TRON),
  CHAIN_TON_CONFIRMATIONS: positiveInt.max(10_000).default(DEFAULT_CONFIRMATIONS.TON),

  CHAIN_ETH_POLL_MS: positiveInt.default(DEFAULT_POLL_MS.ETH),
  CHAIN_BSC_POLL_MS: positiveInt.default(DEFAULT_POLL_MS.BSC),
  CHAIN_TRON_POLL_MS: positiveInt.default(DEFAULT_POLL_MS.TRON),
  CHAIN_TON_POLL_MS: positiveInt.default(DEFAULT_POLL_MS.TON),

  /** USDT contract (ERC20/BEP20/TRC20) or jetton master; defaults: the catalogue's mainnet one, or devnet's. */
  CHAIN_ETH_USDT_CONTRACT: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address')
    .optional(),
  CHAIN_BSC_USDT_CONTRACT: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address')
    .optional(),
  CHAIN_TRON_USDT_CONTRACT: z
    .string()
    .regex(/^T[1-9A-HJ-NP-Za-km-z]{33}$/, 'must be a base58 T… address')
    .optional(),
  CHAIN_TON_USDT_MASTER: z.string().min(48).optional(),

  /**
   * Chain pinning: the endpoint must serve this chain (checked at start-up and after every failure), else the
   * watcher halts. Production default: mainnet (MAINNET_CHAIN_IDENTITY); development: the devnet's chain ids, and
   * nothing pinned for an explicit endpoint unless set here.
   */
  CHAIN_ETH_CHAIN_ID: positiveInt.optional(),
  CHAIN_BSC_CHAIN_ID: positiveInt.optional(),
  CHAIN_TRON_GENESIS_HASH: hash256.optional(),
  CHAIN_TON_ZERO_STATE_HASH: hash256.optional(),

  /** Where a watcher starts when it has no cursor yet: "head" (default) or a block number / masterchain seqno. */
  CHAIN_ETH_START_HEIGHT: startHeight,
  CHAIN_BSC_START_HEIGHT: startHeight,
  CHAIN_TRON_START_HEIGHT: startHeight,
  CHAIN_TON_START_HEIGHT: startHeight,

  /** Blocks a watcher reads per round. */
  CHAIN_SCAN_BATCH_BLOCKS: positiveInt.max(1_000).default(50),
  /** Block hashes kept per chain for reorg detection; a reorg deeper than this stops the watcher (alert). */
  CHAIN_REORG_WINDOW: positiveInt.max(100_000).default(256),
  /** /health and /metrics of the watchers: this port (ETH) and the next three (BSC, TRON, TON). */
  CHAIN_WATCHER_PORT: z.coerce.number().int().min(0).max(65_532).default(4195),
};

type ChainEnv = z.output<z.ZodObject<typeof chainEnvSchema>>;

export interface ChainSettings {
  network: Network;
  /** JSON-RPC (ETH, BSC), TronGrid (TRON) or toncenter (TON) base URL. */
  url: string;
  apiKey: string | null;
  confirmations: number;
  pollMs: number;
  /** USDT: ERC20/BEP20 contract (0x…, as configured), TRC20 contract (T…) or jetton master (TON). */
  usdtContract: string;
  /** null: the chain head at first start. */
  startHeight: bigint | null;
  /** /health and /metrics of this network's watcher. */
  watcherPort: number;
  /** EVM only: the chain id the endpoint must report, or null to accept what it reports (development only). */
  evmChainId: number | null;
  /**
   * The chain's first block the endpoint must serve: TRON's genesis block id, TON's masterchain zero-state root
   * hash (lower-case hex); null = not pinned (EVM, and development unless configured).
   */
  genesisHash: string | null;
}

export interface ChainsConfig {
  /** Each network's settings, or null when it is off (production without an endpoint). */
  networks: Record<Network, ChainSettings | null>;
  scanBatchBlocks: number;
  reorgWindow: number;
  /** The local chains `npm start` runs, or null outside devnet. */
  devnet: { ports: Record<Network, number>; blockIntervalMs: number } | null;
}

/** Chain endpoints and watcher settings: the wallet (balances), the watchers and the devnet read this. */
export const chains = section(chainEnvSchema, (e, ctx) => buildChainsConfig(e, ctx));

export function buildChainsConfig(
  e: ChainEnv,
  ctx: Pick<ConfigContext, 'production' | 'host' | 'problem'>,
): ChainsConfig {
  const production = ctx.production;
  const devnetOn = e.DEVNET_CHAINS ?? !production;
  if (devnetOn && production) ctx.problem('DEVNET_CHAINS', 'local chains are refused in production');
  const ports: Record<Network, number> = {
    ETH: e.DEVNET_CHAIN_PORT,
    BSC: e.DEVNET_CHAIN_PORT + 1,
    TRON: e.DEVNET_TRON_PORT,
    TON: e.DEVNET_TON_PORT,
  };
  const devUrl = (network: Network) => (devnetOn ? `http://${ctx.host}:${ports[network]}` : null);
  const explicit: Record<Network, string | undefined> = {
    ETH: e.CHAIN_ETH_RPC_URL,
    BSC: e.CHAIN_BSC_RPC_URL,
    TRON: e.CHAIN_TRON_API_URL,
    TON: e.CHAIN_TON_API_URL,
  };
  const apiKeys: Record<Network, string | null> = {
    ETH: null,
    BSC: null,
    TRON: e.CHAIN_TRON_API_KEY ?? null,
    TON: e.CHAIN_TON_API_KEY ?? null,
  };
  const confirmations: Record<Network, number> = {
    ETH: e.CHAIN_ETH_CONFIRMATIONS,
    BSC: e.CHAIN_BSC_CONFIRMATIONS,
    TRON: e.CHAIN_TRON_CONFIRMATIONS,
    TON: e.CHAIN_TON_CONFIRMATIONS,
  };
  const pollMs: Record<Network, number> = {
    ETH: e.CHAIN_ETH_POLL_MS,
    BSC: e.CHAIN_BSC_POLL_MS,
    TRON: e.CHAIN_TRON_POLL_MS,
    TON: e.CHAIN_TON_POLL_MS,
  };
  const usdt: Record<Network, string | undefined> = {
    ETH: e.CHAIN_ETH_USDT_CONTRACT,
    BSC: e.CHAIN_BSC_USDT_CONTRACT,
    TRON: e.CHAIN_TRON_USDT_CONTRACT,
    TON: e.CHAIN_TON_USDT_MASTER,
  };
  const chainIds: Record<Network, number | undefined> = {
    ETH: e.CHAIN_ETH_CHAIN_ID,
    BSC: e.CHAIN_BSC_CHAIN_ID,
    TRON: undefined,
    TON: undefined,
  };
  const genesis: Record<Network, string | undefined> = {
    ETH: undefined,
    BSC: undefined,
    TRON: e.CHAIN_TRON_GENESIS_HASH,
    TON: e.CHAIN_TON_ZERO_STATE_HASH,
  };
  const starts: Record<Network, string | undefined> = {
    ETH: e.CHAIN_ETH_START_HEIGHT,
    BSC: e.CHAIN_BSC_START_HEIGHT,
    TRON: e.CHAIN_TRON_START_HEIGHT,
    TON: e.CHAIN_TON_START_HEIGHT,
  };

  const networks = {} as Record<Network, ChainSettings | null>;
  NETWORK_ORDER.forEach((network, offset) => {
    const url = explicit[network] ?? devUrl(network);
    if (!url) {
      networks[network] = null;
      return;
    }
    // A devnet endpoint serves the devnet token; a real endpoint the catalogue's mainnet contract.
    const onDevnet = explicit[network] === undefined;
    const evm = network === 'ETH' || network === 'BSC';
    const start = starts[network];
    networks[network] = {
      network,
      url,
      apiKey: apiKeys[network],
      confirmations: confirmations[network],
      pollMs: pollMs[network],
      usdtContract: usdt[network] ?? (onDevnet && evm ? DEVNET_EVM_USDT : usdtOf(network).contract!),
      startHeight: start === undefined || start === 'head' ? null : BigInt(start),
      watcherPort: e.CHAIN_WATCHER_PORT === 0 ? 0 : e.CHAIN_WATCHER_PORT + offset,
      // Pinned: what is configured; else mainnet in production, the devnet's chain id on the devnet, nothing otherwise.
      evmChainId:
        chainIds[network] ??
        (production
          ? MAINNET_CHAIN_IDENTITY[network].evmChainId
          : onDevnet && evm
            ? DEVNET_EVM_CHAIN_IDS[network as 'ETH' | 'BSC']
            : null),
      genesisHash: genesis[network] ?? (production ? MAINNET_CHAIN_IDENTITY[network].genesisHash : null),
    };
  });
  for (const settings of Object.values(networks)) {
    if (settings && settings.confirmations >= e.CHAIN_REORG_WINDOW) {
      ctx.problem(
        `CHAIN_${settings.network}_CONFIRMATIONS`,
        `must be below CHAIN_REORG_WINDOW (${e.CHAIN_REORG_WINDOW}), the depth of block hashes kept to detect reorgs`,
      );
    }
  }
  return {
    networks,
    scanBatchBlocks: e.CHAIN_SCAN_BATCH_BLOCKS,
    reorgWindow: e.CHAIN_REORG_WINDOW,
    devnet: devnetOn ? { ports, blockIntervalMs: e.DEVNET_BLOCK_INTERVAL_MS } : null,
  };
}
