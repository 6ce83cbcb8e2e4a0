import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Cell } from '@ton/core';
import { createFailureSwitch, type ProviderSimulator, type SimulatorOptions } from '../http/simulator.failures.js';
import { sendJson, serveSimulator, type SimulatorHandler } from '../http/simulator.server.js';
import { usdtOf } from '../../platform/money/assets.js';
import { jettonWalletAddress } from './jettons.js';
import type { McBlock, Raw, SimTx, TonChainOptions, TonFees } from './state.js';
import { TonChain } from './ton-chain.js';
import { createToncenterRoutes } from './toncenter.routes.js';
import { BadRequest, friendly, renderFailure, toRaw } from './toncenter.render.js';
import { TON_API_KEY_HEADER } from '../../providers/toncenter/toncenter.client.js';
import { normalizeTonAddress } from '../../providers/toncenter/toncenter.wire.js';

/**
 * Serves toncenter's API v2 (getMasterchainInfo, getAddressBalance, runGetMethod, sendBoc, sendBocReturnHash) and
 * v3 (masterchainInfo, blocks, transactions, transactionsByMessage, jetton/transfers, jetton/wallets) over an
 * in-memory chain (ton-chain.ts), in the wire format the client parses (see toncenter.wire.ts for the documents).
 */

export interface TonSimulatorOptions extends Pick<SimulatorOptions, 'failMode'>, Omit<TonChainOptions, 'fees'> {
  /** Milliseconds between masterchain blocks; null = only `mine()`/`send()` make blocks. Default 5,000. */
  blockIntervalMs?: number | null;
  /** When set, requests must carry it (`X-API-Key` header or `api_key` query), else 401. */
  apiKey?: string | null;
  fees?: Partial<TonFees>;
  /** Faucet genesis allocation: TON (nanotons) and each jetton. Default 10^9 TON and 10^12 jetton units. */
  faucetTon?: bigint;
  faucetJettons?: bigint;
}

export interface TonFaucetRequest {
  /** Recipient (any address form). */
  to: string;
  /** Nanotons, or jetton units. */
  amount: bigint;
  /** 'USDT' (the genuine master) or a master address (e.g. one from `createFakeJetton`); TON when absent. */
  jetton?: string;
  /** Text comment (TON) or forward payload comment (jetton). */
  comment?: string;
  /** nanotons forwarded with transfer_notification to the recipient. Default 1. */
  forwardTonAmount?: bigint;
  /**
   * TON only: a raw message body (base64 BOC) instead of a comment, e.g. a forged `transfer_notification` from a
   * non-jetton account, to test that watchers do not trust notifications alone.
   */
  body?: string;
}

export interface TonFaucetReceipt {
  mcSeqno: number;
  /** Hex hashes. */
  traceId: string;
  transactions: Array<{ account: string; hash: string; lt: bigint }>;
  /** The recipient's own transaction (TON credit, or the jetton transfer_notification), when there is one. */
  recipientTransaction: { hash: string; lt: bigint } | null;
}

export interface TonChainSimulator {
  readonly handler: SimulatorHandler;
  readonly chain: TonChain;
  /** Normalized (UQ…) faucet address. */
  readonly faucetAddress: string;
  /** The genuine USDT jetton master (catalogue form, EQ…). */
  readonly usdtMaster: string;
  /** Seals `count` masterchain blocks (the first holds pending transactions); returns the head seqno. */
  mine(count?: number): number;
  /** Devnet faucet: TON or jettons to `to`, in a new block at once. */
  send(request: TonFaucetRequest): TonFaucetReceipt;
  /** Broadcasts an external message as sendBoc would (throws ExternalRejectedError); lands in the next block. */
  sendBoc(boc: string): { messageHash: string };
  /**
   * A fake jetton master whose transfers look like real ones. With `impersonate`, its wallets claim the genuine
   * USDT master in get_wallet_data (and so in v3 `jetton_master`/`jetton`); only `get_wallet_address` on the
   * genuine master exposes them. Returns the fake master's address (EQ…).
   */
  createFakeJetton(options?: { symbol?: string; decimals?: number; impersonate?: boolean }): string;
  reorg(depth: number, options?: { reinclude?: boolean }): { head: number; removed: number[] };
  /** nanotons. */
  balance(address: string): bigint;
  jettonBalance(owner: string, master?: string): bigint;
  jettonWalletAddress(owner: string, master?: string): string;
  setHeadLag(blocks: number): void;
  setFailure(spec: Parameters<ProviderSimulator['setFailure']>[0]): void;
  requestCount(): number;
  stop(): void;
}

export interface TonSimulator extends TonChainSimulator, ProviderSimulator {}

// ---------------------------------------------------------------- the simulator

export function createTonSimulator(options: TonSimulatorOptions = {}): TonChainSimulator {
  const chain = new TonChain(options);
  const usdt = usdtOf('TON');
  const usdtMaster = toRaw(usdt.contract!);
  chain.addJettonMaster(usdtMaster, { symbol: 'USDT', decimals: usdt.decimals, genuine: true });
  const faucetJettons = options.faucetJettons ?? 10n ** 12n;
  chain.allocate(chain.faucet, options.faucetTon ?? 10n ** 18n, { master: usdtMaster, amount: faucetJettons });
  const failures = createFailureSwitch(options.failMode ?? null);
  const apiKey = options.apiKey ?? null;
  let requests = 0;
  let headLag = 0;
  let fakes = 0;

  const masterOf = (jetton: string | undefined): Raw =>
    jetton === undefined || jetton === 'USDT' ? usdtMaster : toRaw(jetton);
  const servedHead = (): McBlock => chain.block(Math.max(chain.startSeqno, chain.head.seqno - headLag)) ?? chain.head;
  const sealedTxs = (): SimTx[] => chain.blocks.flatMap((b) => b.txs);

  const mine = (count = 1): number => {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    for (let i = 0; i < count; i++) chain.mine();
    return chain.head.seqno;
  };

  const faucetSend = (request: TonFaucetRequest): TonFaucetReceipt => {
    if (request.amount <= 0n) throw new RangeError('faucet: amount must be positive');
    const to = toRaw(request.to);
    const master = request.jetton === undefined ? null : masterOf(request.jetton);
    if (master !== null && chain.account(master)?.kind.type !== 'jetton-master')
      throw new Error(`faucet: ${request.jetton} is not a jetton master`);
    if (request.body !== undefined && master !== null) throw new Error('faucet: a raw body is for TON transfers only');
    const txs = chain.faucetSend({
      to,
      amount: request.amount,
      jettonMaster: master,
      forwardTonAmount: request.forwardTonAmount ?? 1n,
      comment: request.comment ?? null,
      body: request.body === undefined ? null : Cell.fromBase64(request.body),
    });
    const block = chain.mine();
    const own = txs.find((t) => t.account === to && t.inMsg.source !== null);
    return {
      mcSeqno: block.seqno,
      traceId: txs[0]!.traceId,
      transactions: txs.map((t) => ({ account: normalizeTonAddress(t.account), hash: t.hash, lt: t.lt })),
      recipientTransaction: own ? { hash: own.hash, lt: own.lt } : null,
    };
  };
  const { v2, v3 } = createToncenterRoutes({ chain, servedHead, sealedTxs, requests: () => requests });

  const handler: SimulatorHandler = async (req, res, url) => {
    requests += 1;
    const match = /^\/api\/(v2|v3)\/(.+)$/u.exec(url.pathname);
    const version = match?.[1] ?? null;
    const failure = failures.take();
    if (failure) return renderFailure(res, failure, version === 'v3');
    if (
      apiKey !== null &&
      req.headers[TON_API_KEY_HEADER.toLowerCase()] !== apiKey &&
      url.searchParams.get('api_key') !== apiKey
    ) {
      sendJson(
        res,
        401,
        version === 'v3'
          ? { error: 'API key does not exist' }
          : { ok: false, error: 'API key does not exist', code: 401 },
      );
      return;
    }
    if (!match) {
      sendJson(res, 404, { error: 'Not Found' });
      return;
    }
    try {
      if (version === 'v2') await v2(req, res, url, match[2]!);
      else if (req.method !== 'GET') sendJson(res, 405, { error: 'Method Not Allowed' });
      else v3(res, url, match[2]!);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      const status = error.message === 'Incorrect address' ? 416 : 422;
      sendJson(
        res,
        status,
        version === 'v3' ? { error: error.message } : { ok: false, error: error.message, code: status },
      );
    }
  };

  const intervalMs = options.blockIntervalMs === undefined ? 5_000 : options.blockIntervalMs;
  const timer = intervalMs === null ? null : setInterval(() => chain.mine(), intervalMs);
  timer?.unref();

  return {
    handler,
    chain,
    faucetAddress: normalizeTonAddress(chain.faucet),
    usdtMaster: usdt.contract!,
    mine,
    send: faucetSend,
    sendBoc: (boc) => ({ messageHash: chain.sendExternal(boc).messageHash }),
    createFakeJetton: (opts = {}) => {
      fakes += 1;
      const master: Raw = `0:${hex.encode(sha256(new TextEncoder().encode(`fake-jetton:${fakes}`)))}`;
      chain.addJettonMaster(master, {
        symbol: opts.symbol ?? 'USDT',
        decimals: opts.decimals ?? 6,
        genuine: false,
        ...(opts.impersonate ? { claims: usdtMaster } : {}),
      });
      chain.allocate(chain.faucet, 0n, { master, amount: faucetJettons });
      return friendly(master, true);
    },
    reorg: (depth, opts) => {
      const { removed } = chain.reorg(depth, opts);
      return { head: chain.head.seqno, removed: removed.map((b) => b.seqno) };
    },
    balance: (address) => chain.account(toRaw(address))?.balance ?? 0n,
    jettonBalance: (owner, master) => {
      const account = chain.account(jettonWalletAddress(masterOf(master), toRaw(owner)));
      return account?.kind.type === 'jetton-wallet' ? account.kind.balance : 0n;
    },
    jettonWalletAddress: (owner, master) => friendly(jettonWalletAddress(masterOf(master), toRaw(owner)), true),
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
export function startTonSimulator(options: TonSimulatorOptions = {}): Promise<TonSimulator> {
  return serveSimulator(createTonSimulator(options));
}
