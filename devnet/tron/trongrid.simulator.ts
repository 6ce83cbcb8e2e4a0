import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { createFailureSwitch, type ProviderSimulator, type SimulatorOptions } from '../http/simulator.failures.js';
import { serveSimulator, type SimulatorHandler } from '../http/simulator.server.js';
import { usdtOf } from '../../platform/money/assets.js';
import { validateAddress } from '../../chains/address.js';
import {
  signDigest,
  tronBase58Of,
  tronHexOf,
  tronHexOfKey,
  type ChainBlock,
  type TronChainOptions,
  type TronFees,
} from './state.js';
import { TronChain } from './tron-chain.js';
import { createTronGridRoutes } from './trongrid.routes.js';
import { TYPE_URL, addressParam, readParams, renderFailure, send } from './trongrid.render.js';
import { encodeRawData, type RawContract, type RawData } from './tron-raw-data.js';
import { TRON_API_KEY_HEADER } from '../../providers/trongrid/trongrid.client.js';

/**
 * Serves the TronGrid HTTP API (FullNode `/wallet/*`, `/walletsolidity/*`, and TronGrid v1 TRC20 history) over an
 * in-memory chain, in the same wire format the client parses (see trongrid.wire.ts for the documents):
 * blocks on an interval or by `mine()`, TRX and TRC20 (USDT at its mainnet address from the asset catalogue)
 * balances, `broadcasttransaction` of transactions signed by `signTronTransfer` (txID recomputed from raw_data,
 * signature recovered to owner_address, TAPOS, expiration, duplicates, balances), a faucet, reorgs and failures.
 */

export interface TronSimulatorOptions extends Pick<SimulatorOptions, 'failMode'>, Omit<TronChainOptions, 'fees'> {
  /** Milliseconds between blocks; null = only `mine()`/`send()` make blocks (tests). Default 3,000. */
  blockIntervalMs?: number | null;
  /** When set, requests must carry it in `TRON-PRO-API-KEY` (401 otherwise). */
  apiKey?: string | null;
  fees?: Partial<TronFees>;
  /** Faucet genesis allocation. Default 10^9 TRX and 10^9 USDT. */
  faucetTrx?: bigint;
  faucetUsdt?: bigint;
}

export interface TronFaucetRequest {
  /** base58 `T…` recipient. */
  to: string;
  /** Minor units: sun for TRX, token units (6 decimals for USDT). */
  amount: bigint;
  /** 'USDT' or a registered TRC20 contract address; TRX when absent. */
  token?: string;
}

export interface TronFaucetReceipt {
  txID: string;
  blockNumber: number;
  blockID: string;
}

export interface TronChainSimulator {
  /** The HTTP handler (mount it on any server; `startTronSimulator` serves it on an ephemeral port). */
  readonly handler: SimulatorHandler;
  readonly chain: TronChain;
  readonly faucetAddress: string;
  readonly usdtContract: string;
  /** Seals the mempool into `count` blocks (the first holds pending transactions); returns the new head height. */
  mine(count?: number): number;
  /** Devnet faucet: a signed transfer from the faucet, mined into a new block at once. */
  send(request: TronFaucetRequest): TronFaucetReceipt;
  /** Replaces the last `depth` blocks with different ones (see TronChain.reorg). */
  reorg(depth: number, options?: { reinclude?: boolean }): { removed: string[]; head: number };
  /** Registers another TRC20 (e.g. a look-alike "USDT" at another address); returns its address. */
  addToken(token: { symbol: string; name: string; decimals: number; address?: string }): string;
  /** TRX (no token) or token balance of a base58 address. */
  balance(address: string, token?: string): bigint;
  /** Serve heads `blocks` behind the real one (a lagging node: the head appears to go backwards). 0 = honest. */
  setHeadLag(blocks: number): void;
  setFailure(spec: Parameters<ProviderSimulator['setFailure']>[0]): void;
  requestCount(): number;
  /** Stops interval mining. */
  stop(): void;
}

export interface TronSimulator extends TronChainSimulator, ProviderSimulator {}

/** A fixed, public devnet key: the faucet holds only simulator money. */
const FAUCET_KEY = sha256(new TextEncoder().encode('trongrid-simulator faucet key (devnet only)'));

// ---------------------------------------------------------------- the simulator

export function createTronSimulator(options: TronSimulatorOptions = {}): TronChainSimulator {
  const chain = new TronChain(options);
  const usdtInfo = usdtOf('TRON');
  const usdt = chain.addToken({
    address: usdtInfo.contract!,
    symbol: 'USDT',
    name: 'Tether USD',
    decimals: usdtInfo.decimals,
  });
  const faucetHex = tronHexOfKey(FAUCET_KEY);
  chain.allocate(faucetHex, options.faucetTrx ?? 10n ** 15n, [
    { token: usdt.hex, amount: options.faucetUsdt ?? 10n ** 15n },
  ]);
  const failures = createFailureSwitch(options.failMode ?? null);
  const apiKey = options.apiKey ?? null;
  let requests = 0;
  let headLag = 0;

  const servedHead = (solidified: boolean): ChainBlock => {
    const head = solidified ? chain.solidifiedHead : chain.head;
    return chain.blockByNumber(Math.max(chain.startHeight, head.number - headLag)) ?? head;
  };

  const resolveToken = (token: string): string => {
    if (token === 'USDT') return usdt.hex;
    const hexToken = addressParam(token);
    if (!hexToken || !chain.token(hexToken)) throw new Error(`unknown TRC20 token ${token}`);
    return hexToken;
  };

  const mine = (count = 1): number => {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    for (let i = 0; i < count; i++) chain.mine();
    return chain.head.number;
  };

  const faucetSend = (request: TronFaucetRequest): TronFaucetReceipt => {
    const check = validateAddress('TRON', request.to);
    if (!check.valid) throw new Error(`faucet: ${check.reason ?? 'invalid address'}`);
    if (request.amount <= 0n) throw new RangeError('faucet: amount must be positive');
    const head = chain.head;
    const owner = hex.decode(faucetHex);
    const to = hex.decode(tronHexOf(request.to));
    let contract: RawContract;
    let feeLimit = 0n;
    if (request.token === undefined) {
      contract = {
        type: 'TransferContract',
        typeUrl: TYPE_URL + 'TransferContract',
        owner,
        to,
        amount: request.amount,
        permissionId: 0,
      };
    } else {
      const token = resolveToken(request.token);
      const data = hex.decode(
        'a9059cbb' + hex.encode(to.subarray(1)).padStart(64, '0') + request.amount.toString(16).padStart(64, '0'),
      );
      contract = {
        type: 'TriggerSmartContract',
        typeUrl: TYPE_URL + 'TriggerSmartContract',
        owner,
        contract: hex.decode(token),
        callValue: 0n,
        data,
        callTokenValue: 0n,
        tokenId: 0n,
        permissionId: 0,
      };
      feeLimit = 100_000_000n;
    }
    const now = BigInt(Math.max(Date.now(), head.timestamp));
    const raw: RawData = {
      refBlockBytes: hex.decode(head.blockID.slice(12, 16)),
      refBlockNum: 0n,
      refBlockHash: hex.decode(head.blockID.slice(16, 32)),
      expiration: BigInt(head.timestamp) + 60_000n,
      data: new Uint8Array(),
      contract,
      timestamp: now,
      feeLimit,
    };
    const txid = sha256(encodeRawData(raw));
    const outcome = chain.submit(raw, [signDigest(txid, FAUCET_KEY)], null);
    if (outcome.kind !== 'accepted') throw new Error(`faucet transfer refused: ${outcome.code}: ${outcome.message}`);
    if (outcome.tx.contractRet !== 'SUCCESS')
      throw new Error(`faucet transfer failed on chain: ${outcome.tx.contractRet}`);
    const block = chain.mine();
    return { txID: outcome.txid, blockNumber: block.number, blockID: block.blockID };
  };
  const routes = createTronGridRoutes({ chain, servedHead });

  const handler: SimulatorHandler = async (req, res, url) => {
    requests += 1;
    const failure = failures.take();
    if (failure) return renderFailure(res, failure);
    if (apiKey !== null && req.headers[TRON_API_KEY_HEADER.toLowerCase()] !== apiKey) {
      send(res, 401, { Error: 'ApiKey not exists' });
      return;
    }
    const params = await readParams(req, url);
    if (params === null) {
      send(res, 200, { Error: 'class org.tron.json.JSONException : invalid JSON body' });
      return;
    }
    routes.route(req, res, url, params);
  };

  const intervalMs = options.blockIntervalMs === undefined ? 3_000 : options.blockIntervalMs;
  const timer = intervalMs === null ? null : setInterval(() => chain.mine(), intervalMs);
  timer?.unref();

  return {
    handler,
    chain,
    faucetAddress: tronBase58Of(faucetHex),
    usdtContract: usdt.address,
    mine,
    send: faucetSend,
    reorg: (depth, opts) => {
      const { removed } = chain.reorg(depth, opts);
      return { removed: removed.map((b) => b.blockID), head: chain.head.number };
    },
    addToken: (token) => {
      const address =
        token.address ??
        tronBase58Of(
          '41' +
            hex.encode(
              sha256(new TextEncoder().encode(`token ${token.symbol} ${chain.tokens.length}`)).subarray(0, 20),
            ),
        );
      const added = chain.addToken({ address, symbol: token.symbol, name: token.name, decimals: token.decimals });
      chain.allocate(faucetHex, 0n, [{ token: added.hex, amount: options.faucetUsdt ?? 10n ** 15n }]);
      return added.address;
    },
    balance: (address, token) => {
      const owner = tronHexOf(address);
      return token === undefined
        ? (chain.account(owner)?.balance ?? 0n)
        : chain.tokenBalance(resolveToken(token), owner);
    },
    setHeadLag: (blocks) => {
      if (!Number.isSafeInteger(blocks) || blocks < 0) throw new RangeError('lag must be a non-negative integer');
      headLag = blocks;
    },
    setFailure: failures.set,
    requestCount: () => requests,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}

/** The simulator served on 127.0.0.1 at an ephemeral port. */
export function startTronSimulator(options: TronSimulatorOptions = {}): Promise<TronSimulator> {
  return serveSimulator(createTronSimulator(options));
}
