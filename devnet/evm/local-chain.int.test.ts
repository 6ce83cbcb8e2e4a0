import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Contract } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployTestToken,
  localProvider,
  mintTestToken,
  restartLocalEvmChain,
  rpc,
  startLocalEvmChain,
  tetherTokenArtifact,
  type LocalEvmChain,
} from './local-chain.js';

const artifact = JSON.parse(
  readFileSync(fileURLToPath(new URL('./tether-token.artifact.json', import.meta.url)), 'utf8'),
) as {
  sourceSha256: string;
  bytecode: string;
  compiler: { version: string };
};

let chain: LocalEvmChain;
beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 56 });
});
afterAll(async () => {
  await chain?.stop();
});

describe('devnet EVM chain', () => {
  it('the committed artifact was built from the committed source with solc 0.8.28', () => {
    const source = readFileSync(fileURLToPath(new URL('./contracts/TetherToken.sol', import.meta.url)), 'utf8');
    expect(createHash('sha256').update(source).digest('hex')).toBe(artifact.sourceSha256);
    expect(artifact.compiler.version).toMatch(/^0\.8\.28\+/u);
    expect(artifact.bytecode).toMatch(/^0x[0-9a-f]{200,}$/u);
  });

  it('answers JSON-RPC on 127.0.0.1 with the requested chain id and funded default accounts', async () => {
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
    const provider = localProvider(chain.rpcUrl);
    try {
      expect((await provider.getNetwork()).chainId).toBe(56n);
      expect(chain.accounts).toHaveLength(10);
      expect(chain.accounts[0]!.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
      expect(await provider.getBalance(chain.accounts[9]!.address)).toBe(10_000n * 10n ** 18n);
    } finally {
      provider.destroy();
    }
  });

  it('deploys the USDT-like token (6 decimals by default, 18 on request) and mints as owner only', async () => {
    const [owner, holder] = chain.accounts;
    const token = await deployTestToken(chain.rpcUrl, owner!.privateKey);
    const bsc = await deployTestToken(chain.rpcUrl, owner!.privateKey, { decimals: 18, symbol: 'USDT' });
    const provider = localProvider(chain.rpcUrl);
    try {
      const read = (address: string) => new Contract(address, tetherTokenArtifact().abi, provider);
      expect(await read(token).getFunction('decimals')()).toBe(6n);
      expect(await read(token).getFunction('symbol')()).toBe('USDT');
      expect(await read(bsc).getFunction('decimals')()).toBe(18n);
      await mintTestToken(chain.rpcUrl, owner!.privateKey, token, holder!.address, 42_000_000n);
      expect(await read(token).getFunction('balanceOf')(holder!.address)).toBe(42_000_000n);
      await expect(mintTestToken(chain.rpcUrl, holder!.privateKey, token, holder!.address, 1n)).rejects.toThrow();
    } finally {
      provider.destroy();
    }
  });

  it('stop() ends the node and is safe to call twice; a second chain starts on its own port', async () => {
    const other = await startLocalEvmChain({ chainId: 31337 });
    expect(other.rpcUrl).not.toBe(chain.rpcUrl);
    await other.stop();
    await other.stop();
    await expect(
      fetch(other.rpcUrl, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1_000) }),
    ).rejects.toThrow();
  });

  it('restartLocalEvmChain: the same URL and chain id, a new chain from genesis (as every `npm start`)', async () => {
    let other = await startLocalEvmChain({ chainId: 1337 });
    try {
      await rpc(other.rpcUrl, 'hardhat_mine', ['0x20']);
      const before = await rpc<{ hash: string }>(other.rpcUrl, 'eth_getBlockByNumber', ['0x0', false]);
      expect(BigInt(await rpc<string>(other.rpcUrl, 'eth_blockNumber'))).toBe(32n);
      const url = other.rpcUrl;
      other = await restartLocalEvmChain(other);
      expect(other.rpcUrl).toBe(url);
      expect(BigInt(await rpc<string>(other.rpcUrl, 'eth_chainId'))).toBe(1337n);
      expect(BigInt(await rpc<string>(other.rpcUrl, 'eth_blockNumber'))).toBe(0n);
      const after = await rpc<{ hash: string }>(other.rpcUrl, 'eth_getBlockByNumber', ['0x0', false]);
      expect(after.hash).not.toBe(before.hash);
    } finally {
      await other.stop();
    }
  });
});
