import { z } from 'zod';
import type { Logger } from '../../../platform/logger.js';
import { nativeAssetOf, usdtOf } from '../../../platform/money/assets.js';
import { parseBody } from '../../../providers/http/json.schemas.js';
import {
  createTronGridClient,
  TronHeadRegressedError,
  trc20TransfersOf,
  type TronResilienceOptions,
} from '../../../providers/trongrid/index.js';
import { assertPinned } from '../../../chains/chain-identity.js';
import { ChainMovedError, type ChainSource, type ChainTransfer, type ScannedBlock } from '../../../chains/source.js';

const genesisSchema = z
  .object({
    blockID: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/u)
      .optional(),
  })
  .passthrough();

export interface TronSourceOptions {
  baseUrl: string;
  apiKey: string | null;
  /** The TRC20 USDT contract (base58 T…). */
  usdtContract: string;
  /** When set, verify() refuses an endpoint whose genesis block (block 0) has another id (lower-case hex). */
  genesisHash?: string | null;
  log?: Logger;
  resilience?: TronResilienceOptions;
}

/**
 * TRON through TronGrid's FullNode API: TRX from successful TransferContract transactions; USDT from the
 * `Transfer` logs of the configured TRC20 contract in the transaction infos of blocks holding smart-contract
 * calls (so a transfer made through another contract, e.g. an exchange's, is seen too). A look-alike token at
 * another address is never looked at; a failed or reverted transaction's logs are never used.
 */
export function createTronSource(options: TronSourceOptions): ChainSource {
  const client = createTronGridClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    ...(options.log ? { log: options.log } : {}),
    ...(options.resilience ? { resilience: options.resilience } : {}),
  });
  const trx = nativeAssetOf('TRON').symbol;
  const usdt = usdtOf('TRON').symbol;

  return {
    network: 'TRON',
    async verify() {
      // Only the genesis block's id is read: its transactions (mainnet's are allocations from a pseudo address) are
      // no business of the watcher and need not pass the strict block schema. `{}` = the node has no block 0.
      const { data } = await client.http.post(
        '/wallet/getblockbynum',
        { num: 0 },
        {
          idempotent: true,
          decode: (body, raw) => parseBody(client.name, genesisSchema, body, raw.text),
        },
      );
      const genesis = data.blockID?.toLowerCase() ?? null;
      return assertPinned(
        client.name,
        { chainId: null, genesis: options.genesisHash ?? null },
        { chainId: null, genesis },
      );
    },
    head: async () => BigInt((await client.getNowBlock()).number),
    async blockHashes(heights) {
      if (!heights.length) return [];
      const nums = heights.map(Number);
      const low = Math.min(...nums);
      const high = Math.max(...nums);
      const byHeight = new Map<number, { hash: string; parentHash: string }>();
      // The watcher asks for one height or a contiguous chunk of 32; getBlockRange pages by TRON_MAX_BLOCK_RANGE.
      for (const b of await client.getBlockRange(low, high + 1))
        byHeight.set(b.number, { hash: b.blockID, parentHash: b.parentHash });
      return nums.map((n) => byHeight.get(n) ?? null);
    },
    async scan(from, to) {
      const blocks = await client.getBlockRange(Number(from), Number(to) + 1);
      const out: ScannedBlock[] = [];
      for (const [i, block] of blocks.entries()) {
        if (block.number !== Number(from) + i) break; // a gap: the rest next time
        const transfers: ChainTransfer[] = [];
        let calls = false;
        for (const tx of block.transactions) {
          const c = tx.contract;
          if (c.type === 'TransferContract' && tx.contractRet === 'SUCCESS' && c.amount > 0n) {
            transfers.push({ asset: trx, txHash: tx.txID, outputIndex: 0, from: c.owner, to: c.to, amount: c.amount });
          } else if (c.type === 'TriggerSmartContract') {
            calls = true;
          }
        }
        if (calls) {
          const infos = await client.getTransactionInfoByBlockNum(block.number);
          const ids = new Set(block.transactions.map((t) => t.txID));
          for (const info of infos) {
            if (!ids.has(info.id))
              throw new ChainMovedError(`transaction info ${info.id} is not in block ${block.blockID}`);
            for (const t of trc20TransfersOf(info)) {
              if (t.contract !== options.usdtContract || t.amount <= 0n) continue;
              transfers.push({
                asset: usdt,
                txHash: info.id,
                outputIndex: t.logIndex,
                from: t.from,
                to: t.to,
                amount: t.amount,
              });
            }
          }
        }
        out.push({
          height: BigInt(block.number),
          hash: block.blockID,
          parentHash: block.parentHash,
          transactions: block.transactions.length,
          transfers,
        });
      }
      return out;
    },
    resetHead: () => client.resetHead(),
    isHeadRegression: (err) => err instanceof TronHeadRegressedError,
  };
}
