import { Address, Cell } from '@ton/core';
import type { Logger } from '../../../platform/logger.js';
import { nativeAssetOf, usdtOf } from '../../../platform/money/assets.js';
import {
  createToncenterClient,
  JETTON_OP,
  normalizeTonAddress,
  TonHeadRegressedError,
  type TonResilienceOptions,
  type TonTransaction,
} from '../../../providers/toncenter/index.js';
import { assertPinned } from '../../../chains/chain-identity.js';
import { ChainMovedError, type ChainSource, type ChainTransfer, type ScannedBlock } from '../../../chains/source.js';

export interface TonSourceOptions {
  baseUrl: string;
  apiKey: string | null;
  /** The genuine USDT jetton master. */
  usdtMaster: string;
  /** When set, verify() refuses an endpoint whose masterchain zero state has another root hash (lower-case hex). */
  zeroStateHash?: string | null;
  log?: Logger;
  resilience?: TonResilienceOptions;
  /** Jetton wallets whose verdict (genuine owner, or not genuine) is kept; default 100,000. */
  jettonCacheSize?: number;
}

const PAGE = 1000;
/** Jetton plumbing: their TON value belongs to a jetton flow, not a TON deposit. */
const PLUMBING = new Set<number>([JETTON_OP.transferNotification, JETTON_OP.excesses]);

interface InternalTransfer {
  amount: bigint;
  /** The sending owner, when the message names one. */
  from: string | null;
}

/** TEP-74 internal_transfer#178d4519 query_id:uint64 amount:Coins from:MsgAddress … */
function parseInternalTransfer(body: string): InternalTransfer | null {
  try {
    const s = Cell.fromBase64(body).beginParse();
    if (s.loadUint(32) !== JETTON_OP.internalTransfer) return null;
    s.loadUintBig(64);
    const amount = s.loadCoins();
    const from = s.loadAddressAny();
    return { amount, from: from instanceof Address ? normalizeTonAddress(from.toRawString()) : null };
  } catch {
    return null;
  }
}

/**
 * TON through toncenter (v3 indexer for blocks and transactions, v2 get methods): a "block" is a masterchain
 * block (its seqno and root hash; the parent hash is the root hash of the previous seqno as the same node serves
 * it), with every transaction committed under it.
 * - TON: an internal message with value to an account, not bounced back (a bounceable message to an account
 *   that cannot take it returns), except jetton plumbing (transfer_notification, excesses).
 * - USDT: the `internal_transfer` a jetton wallet executed successfully, credited to that wallet's owner, only if
 *   the genuine master computes exactly that wallet for that owner (`get_wallet_address`); the wallet's own
 *   claims (`get_wallet_data`, the indexer's `jetton_master`) and transfer notifications are never trusted alone.
 */
export function createTonSource(options: TonSourceOptions): ChainSource {
  const client = createToncenterClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    ...(options.log ? { log: options.log } : {}),
    ...(options.resilience ? { resilience: options.resilience } : {}),
  });
  const ton = nativeAssetOf('TON').symbol;
  const usdt = usdtOf('TON').symbol;
  const master = normalizeTonAddress(options.usdtMaster);
  const cacheSize = options.jettonCacheSize ?? 100_000;
  /** jetton wallet → its owner when genuine for the USDT master, null when not. */
  const verdicts = new Map<string, string | null>();

  const genuineOwner = async (jettonWallet: string): Promise<string | null> => {
    const known = verdicts.get(jettonWallet);
    if (known !== undefined) return known;
    const data = await client.getJettonWalletData(jettonWallet);
    let owner: string | null = null;
    if (data && (await client.getJettonWalletAddress(master, data.owner)) === jettonWallet) owner = data.owner;
    if (verdicts.size >= cacheSize) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(jettonWallet, owner);
    return owner;
  };

  const transactionsOf = async (seqno: number): Promise<TonTransaction[]> => {
    const all: TonTransaction[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await client.getTransactions({ mcSeqno: seqno, limit: PAGE, offset, sort: 'asc' });
      all.push(...page);
      if (page.length < PAGE) return all;
    }
  };

  const transfersOf = async (txs: readonly TonTransaction[]): Promise<ChainTransfer[]> => {
    const out: ChainTransfer[] = [];
    for (const tx of txs) {
      const msg = tx.inMsg;
      if (!msg || msg.source === null || msg.bounced === true) continue; // external or bounced: no deposit
      if (msg.opcode === JETTON_OP.internalTransfer) {
        if (tx.aborted || tx.computeSuccess !== true || tx.actionSuccess === false || msg.body === null) continue;
        const transfer = parseInternalTransfer(msg.body);
        if (!transfer || transfer.amount <= 0n) continue;
        const owner = await genuineOwner(tx.account);
        if (owner === null) {
          options.log?.debug(
            { jettonWallet: tx.account, tx: tx.hash },
            'jetton transfer from a wallet of another master: ignored',
          );
          continue;
        }
        out.push({
          asset: usdt,
          txHash: tx.hash,
          outputIndex: 0,
          from: transfer.from ?? msg.source,
          to: owner,
          amount: transfer.amount,
        });
        continue;
      }
      if (msg.opcode !== null && PLUMBING.has(msg.opcode)) continue;
      const value = msg.value ?? 0n;
      if (value <= 0n) continue;
      const bouncedBack = tx.outMsgs.some((m) => m.bounced === true && m.destination === msg.source);
      if (bouncedBack) continue;
      out.push({ asset: ton, txHash: tx.hash, outputIndex: 0, from: msg.source, to: tx.account, amount: value });
    }
    return out;
  };

  const blocks = async (seqnos: readonly number[]) => Promise.all(seqnos.map((s) => client.getMasterchainBlock(s)));

  return {
    network: 'TON',
    async verify() {
      // The zero state's root hash names the network (mainnet F6OpKZ…, testnet gj+B8w…); v2 reports it as `init`.
      const [info] = await Promise.all([client.getMasterchainInfo(), client.getIndexedMasterchainInfo()]);
      return assertPinned(
        client.name,
        { chainId: null, genesis: options.zeroStateHash ?? null },
        { chainId: null, genesis: info.initRootHash },
      );
    },
    head: async () => BigInt((await client.getIndexedMasterchainInfo()).last.seqno),
    async blockHashes(heights) {
      const wanted = heights.map(Number);
      const parents = wanted.map((s) => s - 1).filter((s) => s >= 0);
      const fetched = await blocks([...new Set([...wanted, ...parents])]);
      const bySeqno = new Map(fetched.filter((b) => b !== null).map((b) => [b!.seqno, b!.rootHash] as const));
      return wanted.map((s) => {
        const hash = bySeqno.get(s);
        if (hash === undefined) return null;
        return { hash, parentHash: bySeqno.get(s - 1) ?? '0'.repeat(64) };
      });
    },
    async scan(from, to) {
      const seqnos: number[] = [];
      for (let s = Number(from); s <= Number(to); s++) seqnos.push(s);
      const fetched = await blocks([Number(from) - 1, ...seqnos].filter((s) => s >= 0));
      const byS = new Map(fetched.filter((b) => b !== null).map((b) => [b!.seqno, b!] as const));
      const out: ScannedBlock[] = [];
      for (const seqno of seqnos) {
        const block = byS.get(seqno);
        if (!block) break;
        const txs = await transactionsOf(seqno);
        for (const tx of txs) {
          if (tx.mcSeqno !== null && tx.mcSeqno !== seqno)
            throw new ChainMovedError(`transaction ${tx.hash} is under masterchain block ${tx.mcSeqno}, not ${seqno}`);
        }
        out.push({
          height: BigInt(seqno),
          hash: block.rootHash,
          parentHash: byS.get(seqno - 1)?.rootHash ?? '0'.repeat(64),
          transactions: txs.length,
          transfers: await transfersOf(txs),
        });
      }
      return out;
    },
    resetHead: () => client.resetHead(),
    isHeadRegression: (err) => err instanceof TonHeadRegressedError,
  };
}
