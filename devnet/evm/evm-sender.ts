import { Contract, Wallet } from 'ethers';
import { JsonRpcError, localProvider, rpc, tetherTokenArtifact } from './local-chain.js';

/** Sends and chain controls over a local hardhat chain (devnet:send, tests, the deposits benchmark): transfers, snapshots, reorgs. */
export class EvmSender {
  private nonces = new Map<string, number>();

  constructor(
    readonly rpcUrl: string,
    /** A funded hardhat account's key. */
    readonly funderKey: string,
  ) {}

  /** A node's JSON-RPC error is rethrown as `<method>: <message>`. */
  async rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    try {
      return await rpc<T>(this.rpcUrl, method, params);
    } catch (error) {
      throw error instanceof JsonRpcError ? new Error(`${method}: ${error.message}`) : error;
    }
  }

  async blockNumber(): Promise<bigint> {
    return BigInt(await this.rpc<string>('eth_blockNumber'));
  }

  /** Native coin (wei) to `to`; resolves with the transaction hash once mined. */
  async sendNative(to: string, wei: bigint, key = this.funderKey): Promise<string> {
    const provider = localProvider(this.rpcUrl);
    try {
      const wallet = new Wallet(key, provider);
      const tx = await wallet.sendTransaction({ to, value: wei, nonce: await this.nextNonce(wallet) });
      await tx.wait();
      return tx.hash;
    } finally {
      provider.destroy();
    }
  }

  /** ERC20 `transfer(to, amount)` from the funder (who must hold the tokens). */
  async sendToken(token: string, to: string, amount: bigint, key = this.funderKey): Promise<string> {
    const provider = localProvider(this.rpcUrl);
    try {
      const wallet = new Wallet(key, provider);
      const contract = new Contract(token, tetherTokenArtifact().abi, wallet);
      const tx = (await contract.getFunction('transfer')(to, amount, { nonce: await this.nextNonce(wallet) })) as {
        hash: string;
        wait(): Promise<unknown>;
      };
      await tx.wait();
      return tx.hash;
    } finally {
      provider.destroy();
    }
  }

  async snapshot(): Promise<string> {
    return this.rpc<string>('evm_snapshot');
  }

  /** Reverts to a snapshot; nonces are re-read afterwards. */
  async revert(id: string): Promise<void> {
    if (!(await this.rpc<boolean>('evm_revert', [id]))) throw new Error(`evm_revert ${id} refused`);
    this.nonces.clear();
  }

  /** Mines `count` empty blocks, each with a timestamp far from any earlier block (so none repeats a reverted one's hash). */
  async mine(count: number): Promise<void> {
    const latest = await this.rpc<{ timestamp: string }>('eth_getBlockByNumber', ['latest', false]);
    let ts = Number(BigInt(latest.timestamp)) + 1000 + Math.floor(Math.random() * 1000);
    for (let i = 0; i < count; i++) {
      await this.rpc('evm_mine', [ts]);
      ts += 13;
    }
  }

  private async nextNonce(wallet: Wallet): Promise<number> {
    const address = wallet.address;
    let nonce = this.nonces.get(address);
    if (nonce === undefined) nonce = Number(await this.rpc<string>('eth_getTransactionCount', [address, 'pending']));
    this.nonces.set(address, nonce + 1);
    return nonce;
  }
}
