import { Contract, Transaction, Wallet, type JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployTestToken,
  localProvider,
  mintTestToken,
  startLocalEvmChain,
  tetherTokenArtifact,
  type LocalEvmChain,
} from '../../../../devnet/evm/local-chain.js';
import { deriveAddress } from '../derivation.js';
import { mnemonicToSeed } from '../mnemonic.js';
import { EvmSignRequestError, signEvmTransfer, type EvmSignRequest } from './evm.signer.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const CHAIN_ID = 1337;

let chain: LocalEvmChain;
let provider: JsonRpcProvider;
let seed: Uint8Array;
let sender: string;
let recipient: string;
let token: string;

async function broadcast(raw: string) {
  const response = await provider.broadcastTransaction(raw);
  const receipt = await response.wait(1, 10_000);
  if (!receipt) throw new Error('no receipt');
  return receipt;
}

async function fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; gasPrice: bigint }> {
  const block = await provider.getBlock('latest');
  const base = block?.baseFeePerGas ?? 1_000_000_000n;
  return { maxFeePerGas: base * 2n + 1_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, gasPrice: base * 2n };
}

beforeAll(async () => {
  [chain, seed] = await Promise.all([startLocalEvmChain({ chainId: CHAIN_ID }), mnemonicToSeed(ABOUT)]);
  provider = localProvider(chain.rpcUrl);
  sender = deriveAddress(seed, 'ETH', 0);
  recipient = deriveAddress(seed, 'ETH', 1);
  const funder = chain.accounts[0]!;
  const fund = await new Wallet(funder.privateKey, provider).sendTransaction({ to: sender, value: 10n * 10n ** 18n });
  await fund.wait();
  token = await deployTestToken(chain.rpcUrl, funder.privateKey);
  await mintTestToken(chain.rpcUrl, funder.privateKey, token, sender, 1_000_000_000n);
});

afterAll(async () => {
  provider?.destroy();
  await chain?.stop();
});

describe('EVM signer on a local hardhat chain', () => {
  it('an EIP-1559 ETH transfer is accepted and moves the balance', async () => {
    const amount = 1_500_000_000_000_000_000n;
    const before = await provider.getBalance(recipient);
    const { maxFeePerGas, maxPriorityFeePerGas } = await fees();
    const signed = await signEvmTransfer(seed, {
      network: 'ETH',
      index: 0,
      chainId: BigInt(CHAIN_ID),
      nonce: await provider.getTransactionCount(sender),
      gasLimit: 21_000n,
      fee: { type: 'eip1559', maxFeePerGas, maxPriorityFeePerGas },
      transfer: { asset: 'native', to: recipient.toLowerCase(), amount },
    });
    expect(signed.from).toBe(sender);
    expect(Transaction.from(signed.rawTransaction).type).toBe(2);
    const receipt = await broadcast(signed.rawTransaction);
    expect(receipt.status).toBe(1);
    expect(receipt.hash).toBe(signed.hash);
    expect(receipt.from).toBe(sender);
    expect((await provider.getBalance(recipient)) - before).toBe(amount);
  });

  it('a legacy (EIP-155) transfer is accepted, also when labelled BSC', async () => {
    const amount = 12_345n;
    const before = await provider.getBalance(recipient);
    const signed = await signEvmTransfer(seed, {
      network: 'BSC',
      index: 0,
      chainId: BigInt(CHAIN_ID),
      nonce: await provider.getTransactionCount(sender),
      gasLimit: 21_000n,
      fee: { type: 'legacy', gasPrice: (await fees()).gasPrice },
      transfer: { asset: 'native', to: recipient, amount },
    });
    const parsed = Transaction.from(signed.rawTransaction);
    expect(parsed.type).toBe(0);
    expect(parsed.chainId).toBe(BigInt(CHAIN_ID));
    const receipt = await broadcast(signed.rawTransaction);
    expect(receipt.status).toBe(1);
    expect((await provider.getBalance(recipient)) - before).toBe(amount);
  });

  it('an ERC20 transfer of the token deployed here is accepted and moves token balances', async () => {
    const erc20 = new Contract(token, tetherTokenArtifact().abi, provider);
    const balanceOf = erc20.getFunction('balanceOf');
    const senderBefore = (await balanceOf(sender)) as bigint;
    const amount = 250_000_000n; // 250 USDT at 6 decimals
    const { maxFeePerGas, maxPriorityFeePerGas } = await fees();
    const signed = await signEvmTransfer(seed, {
      network: 'ETH',
      index: 0,
      chainId: BigInt(CHAIN_ID),
      nonce: await provider.getTransactionCount(sender),
      gasLimit: 100_000n,
      fee: { type: 'eip1559', maxFeePerGas, maxPriorityFeePerGas },
      transfer: { asset: 'token', token, to: recipient, amount },
    });
    const receipt = await broadcast(signed.rawTransaction);
    expect(receipt.status).toBe(1);
    expect((await balanceOf(recipient)) as bigint).toBe(amount);
    expect((await balanceOf(sender)) as bigint).toBe(senderBefore - amount);
    const transfer = receipt.logs.map((log) => erc20.interface.parseLog(log)).find((log) => log?.name === 'Transfer');
    expect(transfer?.args.toArray()).toEqual([sender, recipient, amount]);
  });

  it('the chain refuses a transaction signed for another chain id (EIP-155 replay protection)', async () => {
    const { maxFeePerGas, maxPriorityFeePerGas } = await fees();
    const signed = await signEvmTransfer(seed, {
      network: 'ETH',
      index: 0,
      chainId: 1n,
      nonce: await provider.getTransactionCount(sender),
      gasLimit: 21_000n,
      fee: { type: 'eip1559', maxFeePerGas, maxPriorityFeePerGas },
      transfer: { asset: 'native', to: recipient, amount: 1n },
    });
    await expect(provider.broadcastTransaction(signed.rawTransaction)).rejects.toThrow();
  });

  it('validates requests before deriving any key', async () => {
    const base: EvmSignRequest = {
      network: 'ETH',
      index: 0,
      chainId: 1n,
      nonce: 0,
      gasLimit: 21_000n,
      fee: { type: 'eip1559', maxFeePerGas: 2n, maxPriorityFeePerGas: 1n },
      transfer: { asset: 'native', to: recipient, amount: 1n },
    };
    const bad: EvmSignRequest[] = [
      { ...base, transfer: { asset: 'native', to: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', amount: 1n } },
      { ...base, transfer: { asset: 'native', to: recipient, amount: 0n } },
      {
        ...base,
        transfer: { asset: 'token', token: '0x0000000000000000000000000000000000000000', to: recipient, amount: 1n },
      },
      { ...base, fee: { type: 'eip1559', maxFeePerGas: 1n, maxPriorityFeePerGas: 2n } },
      { ...base, nonce: -1 },
      { ...base, chainId: 0n },
    ];
    for (const req of bad) await expect(signEvmTransfer(seed, req)).rejects.toThrow(EvmSignRequestError);
  });
});
