import type { Logger } from '../../../platform/logger.js';
import { nativeAssetOf, usdtOf } from '../../../platform/money/assets.js';
import {
  createEvmRpcClient,
  decodeErc20TransferLog,
  ERC20_TRANSFER_TOPIC,
  EvmHeadRegressedError,
  type EvmResilienceOptions,
} from '../../../providers/evm-rpc/index.js';
import { assertPinned } from '../../../chains/chain-identity.js';
import { ChainMovedError, type ChainSource, type ChainTransfer, type ScannedBlock } from '../../../chains/source.js';

export interface EvmSourceOptions {
  network: 'ETH' | 'BSC';
  rpcUrl: string;
  /** The ERC20/BEP20 USDT contract. */
  usdtContract: string;
  /** When set, verify() refuses an endpoint reporting another chain id. */
  chainId: number | null;
  /** When set, verify() refuses an endpoint whose block 0 has another hash. */
  genesisHash?: string | null;
  log?: Logger;
  resilience?: EvmResilienceOptions;
}

/**
 * ETH and BSC through JSON-RPC: native transfers from the blocks' transactions (value > 0 to an address; a
 * plain transfer to an EOA cannot revert), USDT from `Transfer` logs of the configured contract only (a
 * token elsewhere with the same name is not looked at). Logs are checked to come from the very blocks read.
 * Native coin sent by contracts (internal transactions) is not visible without tracing and is not detected.
 */
export function createEvmSource(options: EvmSourceOptions): ChainSource {
  const client = createEvmRpcClient({
    rpcUrl: options.rpcUrl,
    name: `evm-rpc:${options.network.toLowerCase()}`,
    ...(options.log ? { log: options.log } : {}),
    ...(options.resilience ? { resilience: options.resilience } : {}),
  });
  const native = nativeAssetOf(options.network).symbol;
  const usdt = usdtOf(options.network).symbol;
  const usdtContract = options.usdtContract.toLowerCase();

  return {
    network: options.network,
    async verify() {
      const [id, [genesis]] = await Promise.all([client.chainId(), client.getBlocks([0n])]);
      const pin = {
        chainId: options.chainId === null ? null : String(options.chainId),
        genesis: options.genesisHash?.toLowerCase().replace(/^0x/u, '') ?? null,
      };
      return assertPinned(client.name, pin, {
        chainId: id.toString(),
        genesis: genesis ? genesis.hash.replace(/^0x/u, '') : null,
      });
    },
    head: () => client.blockNumber(),
    async blockHashes(heights) {
      const blocks = await client.getBlocks(heights);
      return blocks.map((b) => (b ? { hash: b.hash, parentHash: b.parentHash } : null));
    },
    async scan(from, to) {
      const numbers: bigint[] = [];
      for (let n = from; n <= to; n++) numbers.push(n);
      const fetched = await client.getBlocks(numbers, { transactions: true });
      const blocks = [];
      for (const block of fetched) {
        if (!block) break; // the node's head: the rest next time
        blocks.push(block);
      }
      if (!blocks.length) return [];
      const last = blocks.at(-1)!.number;
      const logs = await client.getLogs({
        fromBlock: from,
        toBlock: last,
        address: usdtContract,
        topics: [ERC20_TRANSFER_TOPIC],
      });
      const byHeight = new Map(blocks.map((b) => [b.number, b] as const));
      const tokenTransfers = new Map<bigint, ChainTransfer[]>();
      for (const log of logs) {
        const block = byHeight.get(log.blockNumber);
        if (!block || log.blockHash !== block.hash)
          throw new ChainMovedError(
            `log of ${log.transactionHash} is from block ${log.blockHash}, not the block ${log.blockNumber} read`,
          );
        if (log.removed) throw new ChainMovedError(`the node returned a removed log for ${log.transactionHash}`);
        const transfer = decodeErc20TransferLog(log);
        // The client already refuses an answer holding a log of a contract not asked for (ProviderParseError); the
        // decoded transfer is checked once more here, where it becomes a deposit: only the configured contract's.
        if (!transfer || transfer.token.toLowerCase() !== usdtContract) continue;
        const list = tokenTransfers.get(log.blockNumber) ?? [];
        list.push({
          asset: usdt,
          txHash: log.transactionHash,
          outputIndex: Number(log.logIndex),
          from: transfer.from,
          to: transfer.to,
          amount: transfer.amount,
        });
        tokenTransfers.set(log.blockNumber, list);
      }
      return blocks.map((block): ScannedBlock => {
        const transfers: ChainTransfer[] = [];
        for (const tx of block.transactions) {
          if (tx.to !== null && tx.value > 0n)
            transfers.push({
              asset: native,
              txHash: tx.hash,
              outputIndex: 0,
              from: tx.from,
              to: tx.to,
              amount: tx.value,
            });
        }
        transfers.push(...(tokenTransfers.get(block.number) ?? []));
        return {
          height: block.number,
          hash: block.hash,
          parentHash: block.parentHash,
          transactions: block.transactions.length,
          transfers,
        };
      });
    },
    resetHead: () => client.resetHead(),
    isHeadRegression: (err) => err instanceof EvmHeadRegressedError,
  };
}
