import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployTestToken,
  localProvider,
  mintTestToken,
  startLocalEvmChain,
  type LocalEvmChain,
} from '../../devnet/evm/local-chain.js';
import {
  deriveAddress,
  encodeErc20Transfer,
  mnemonicToSeed,
  signEvmTransfer,
} from '../../subgraphs/wallet/custody/index.js';
import { ERC20_TRANSFER_TOPIC, addressTopic, decodeErc20TransferLog } from './erc20.js';
import { createEvmRpcClient, type EvmRpcClient } from './evm-rpc.client.js';
import { EvmHeadRegressedError, EvmRpcError } from './evm-rpc.errors.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const CHAIN_ID = 31337;

let chain: LocalEvmChain;
let client: EvmRpcClient;
let seed: Uint8Array;
let custody: string;
let token: string;
let mintBlock: bigint;

async function rawRpc(method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(chain.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

beforeAll(async () => {
  [chain, seed] = await Promise.all([startLocalEvmChain({ chainId: CHAIN_ID }), mnemonicToSeed(ABOUT)]);
  client = createEvmRpcClient({
    rpcUrl: chain.rpcUrl,
    name: 'evm-rpc:devnet',
    resilience: { retries: 0, timeoutMs: 5_000 },
  });
  custody = deriveAddress(seed, 'ETH', 0);
  const funder = chain.accounts[0]!;
  const provider = localProvider(chain.rpcUrl);
  try {
    await (
      await new Wallet(funder.privateKey, provider).sendTransaction({ to: custody, value: 5n * 10n ** 18n })
    ).wait();
  } finally {
    provider.destroy();
  }
  token = await deployTestToken(chain.rpcUrl, funder.privateKey);
  await mintTestToken(chain.rpcUrl, funder.privateKey, token, custody, 250_000_000n);
  mintBlock = await client.blockNumber();
});

afterAll(async () => {
  await chain?.stop();
});

describe('evm-rpc client against a local hardhat chain', () => {
  it('chain id, head, latest and finalized blocks, batched blocks', async () => {
    expect(await client.chainId()).toBe(BigInt(CHAIN_ID));
    const head = await client.blockNumber();
    expect(head).toBe(mintBlock);
    const latest = await client.getBlock('latest');
    expect(latest?.number).toBe(head);
    const finalized = await client.getBlock('finalized');
    expect(finalized).not.toBeNull();
    expect(finalized!.number).toBeLessThanOrEqual(head);
    const blocks = await client.getBlocks([head - 1n, head, head + 100n]);
    expect(blocks.map((b) => b?.number ?? null)).toEqual([head - 1n, head, null]);
    expect(blocks[1]!.parentHash).toBe(blocks[0]!.hash);
  });

  it("finds the deployed token's mint as a Transfer log and reads balances", async () => {
    const logs = await client.getLogs({
      fromBlock: 0n,
      toBlock: mintBlock,
      address: token,
      topics: [ERC20_TRANSFER_TOPIC, null, addressTopic(custody)],
    });
    expect(logs).toHaveLength(1);
    expect(decodeErc20TransferLog(logs[0]!)).toEqual({
      token,
      from: '0x0000000000000000000000000000000000000000',
      to: custody,
      amount: 250_000_000n,
    });
    expect(logs[0]!.blockNumber).toBe(mintBlock);
    expect(await client.erc20BalanceOf(token, custody)).toBe(250_000_000n);
    expect(await client.getBalance(custody)).toBe(5n * 10n ** 18n);
    expect(await client.getTransactionCount(custody)).toBe(0n);
  });

  it('sends transactions signed by the custody signer (ETH and token) and reads them back', async () => {
    const recipient = deriveAddress(seed, 'ETH', 1);
    const [gasPrice, tip, latest] = await Promise.all([
      client.gasPrice(),
      client.maxPriorityFeePerGas(),
      client.getBlock('latest'),
    ]);
    expect(gasPrice).toBeGreaterThan(0n);
    const maxFeePerGas = latest!.baseFeePerGas! * 2n + tip;
    const nonce = Number(await client.getTransactionCount(custody));
    const tokenData = encodeErc20Transfer(recipient, 40_000_000n);
    const gas = await client.estimateGas({ from: custody, to: token, data: tokenData });
    expect(gas).toBeGreaterThan(21_000n);

    const native = await signEvmTransfer(seed, {
      network: 'ETH',
      index: 0,
      chainId: BigInt(CHAIN_ID),
      nonce,
      gasLimit: 21_000n,
      fee: { type: 'eip1559', maxFeePerGas, maxPriorityFeePerGas: tip },
      transfer: { asset: 'native', to: recipient, amount: 10n ** 18n },
    });
    expect(await client.sendRawTransaction(native.rawTransaction)).toBe(native.hash.toLowerCase());
    const tokenTx = await signEvmTransfer(seed, {
      network: 'ETH',
      index: 0,
      chainId: BigInt(CHAIN_ID),
      nonce: nonce + 1,
      gasLimit: gas,
      fee: { type: 'legacy', gasPrice: maxFeePerGas },
      transfer: { asset: 'token', token, to: recipient, amount: 40_000_000n },
    });
    expect(await client.sendRawTransaction(tokenTx.rawTransaction)).toBe(tokenTx.hash.toLowerCase());

    const receipt = await client.getTransactionReceipt(tokenTx.hash);
    expect(receipt).toMatchObject({ status: 'success', from: custody, to: token });
    const transfers = receipt!.logs.map(decodeErc20TransferLog);
    expect(transfers).toEqual([{ token, from: custody, to: recipient, amount: 40_000_000n }]);

    const block = await client.getBlockWithTransactions(receipt!.blockNumber);
    const tx = block!.transactions.find((t) => t.hash === tokenTx.hash.toLowerCase());
    expect(tx).toMatchObject({ from: custody, to: token, value: 0n, type: 0n, input: tokenData.toLowerCase() });
    const nativeReceipt = await client.getTransactionReceipt(native.hash);
    const nativeBlock = await client.getBlockWithTransactions(nativeReceipt!.blockNumber);
    expect(nativeBlock!.transactions.find((t) => t.hash === native.hash.toLowerCase())).toMatchObject({
      to: recipient,
      value: 10n ** 18n,
      type: 2n,
    });
    expect(await client.erc20BalanceOf(token, recipient)).toBe(40_000_000n);
    expect(await client.getBalance(recipient)).toBe(10n ** 18n);

    // The same signed transaction again: the node refuses it with a typed reason.
    const replay = await client.sendRawTransaction(native.rawTransaction).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(EvmRpcError);
    expect(['nonce-too-low', 'already-known']).toContain((replay as EvmRpcError).reason);
  });

  it('a reverting call is an EvmRpcError with reason execution-reverted', async () => {
    const stranger = deriveAddress(seed, 'ETH', 7);
    const error = await client
      .call({ from: stranger, to: token, data: encodeErc20Transfer(custody, 1n) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvmRpcError);
    expect((error as EvmRpcError).reason).toBe('execution-reverted');
    await expect(client.erc20BalanceOf(stranger, custody)).rejects.toThrow(/expected 32/);
  });

  it('a chain rolled back under the client (evm_revert) is reported as a head regression', async () => {
    const snapshot = await rawRpc('evm_snapshot');
    await rawRpc('evm_mine');
    await rawRpc('evm_mine');
    const high = await client.blockNumber();
    await rawRpc('evm_revert', [snapshot]);
    const error = await client.blockNumber().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvmHeadRegressedError);
    expect((error as EvmHeadRegressedError).previousHead).toBe(high);
    await expect(client.getBlock('latest')).rejects.toBeInstanceOf(EvmHeadRegressedError);
    client.resetHead();
    expect(await client.blockNumber()).toBe(high - 2n);
  });
});
