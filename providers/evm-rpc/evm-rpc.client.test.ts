import { describe, expect, it } from 'vitest';
import { closeAfterEach, fixtureReader } from '../../testing/provider-fixtures.js';
import {
  ProviderParseError,
  ProviderResponseError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from '../http/http.errors.js';
import { readRequestBody, sendJson, startSimulatorServer } from '../../devnet/http/simulator.server.js';
import { ERC20_TRANSFER_TOPIC, addressTopic, decodeErc20TransferLog, encodeBalanceOf } from './erc20.js';
import { createEvmRpcClient } from './evm-rpc.client.js';
import { EvmHeadRegressedError, EvmRpcError } from './evm-rpc.errors.js';

const readFixture = fixtureReader(import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFixture(name));
const track = closeAfterEach();

interface RpcRequest {
  jsonrpc: string;
  id: number;
  method: string;
  params: unknown[];
}

/** Answers each JSON-RPC call with `answer(call)`: a result, `{ error }`, or a raw string for the whole body. */
type Answer = { result: unknown } | { error: unknown } | { raw: string; status?: number } | { hang: true };

async function node(answer: (call: RpcRequest) => Answer) {
  const seen: Array<RpcRequest | RpcRequest[]> = [];
  const server = await startSimulatorServer(async (req, res) => {
    const body = JSON.parse(await readRequestBody(req)) as RpcRequest | RpcRequest[];
    seen.push(body);
    const one = (call: RpcRequest): Answer => answer(call);
    if (Array.isArray(body)) {
      // Batch answers come back in reverse order: the client must match by id.
      const out = body.map((call) => {
        const a = one(call);
        return 'error' in a
          ? { jsonrpc: '2.0', id: call.id, error: a.error }
          : { jsonrpc: '2.0', id: call.id, result: (a as { result: unknown }).result };
      });
      sendJson(res, 200, out.reverse());
      return;
    }
    const a = one(body);
    if ('hang' in a) return;
    if ('raw' in a) return sendJson(res, a.status ?? 200, a.raw);
    if ('error' in a) return sendJson(res, 200, { jsonrpc: '2.0', id: body.id, error: a.error });
    sendJson(res, 200, { jsonrpc: '2.0', id: body.id, result: a.result });
  });
  track(server);
  const client = createEvmRpcClient({
    rpcUrl: server.url,
    name: 'evm-rpc:test',
    resilience: {
      retries: 1,
      backoff: { initialMs: 5, maxMs: 10 },
      timeoutMs: 500,
      breaker: { kind: 'consecutive', failures: 4, halfOpenAfterMs: 60_000 },
    },
  });
  return { client, seen };
}

describe('evm-rpc client: documented formats', () => {
  it('reads eth_getBlockByNumber (spec example) with exact quantities and EIP-55 addresses', async () => {
    const { client, seen } = await node(() => ({ result: fixture('block.by-number.json') }));
    const block = await client.getBlock(0x68b3n);
    expect(seen[0]).toMatchObject({ jsonrpc: '2.0', method: 'eth_getBlockByNumber', params: ['0x68b3', false] });
    expect(block).toMatchObject({
      number: 26803n,
      hash: '0xd5f1812548be429cbdc6376b29611fc49e06f1359758c4ceaaa3b393e2239f9c',
      timestamp: 0x5835c54dn,
      baseFeePerGas: 7n,
      miner: '0xB42b6c4A95406C78FF892D270AD20b22642e102D',
    });
    expect(block?.transactions).toHaveLength(2);
  });

  it('reads a hydrated block: values beyond 2^64 stay exact, legacy and EIP-1559 fields', async () => {
    const { client, seen } = await node(() => ({ result: fixture('block.hydrated.json') }));
    const block = await client.getBlockWithTransactions(0x68b3n);
    expect((seen[0] as RpcRequest).params).toEqual(['0x68b3', true]);
    const [legacy, dynamic] = block!.transactions;
    expect(legacy).toMatchObject({
      value: 0xde0b6b3a7640000123n,
      type: 0n,
      gasPrice: 0x9502f907n,
      nonce: 42n,
      to: '0x712e3A792c974B3E3dbE41229Ad4290791C75A82',
    });
    expect(dynamic).toMatchObject({
      type: 2n,
      maxPriorityFeePerGas: 1_000_000_000n,
      to: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
      value: 0n,
    });
  });

  it('reads eth_getLogs and decodes ERC20 Transfer logs; filters are sent lower-case with hex ranges', async () => {
    const { client, seen } = await node(() => ({ result: fixture('logs.transfer.json') }));
    const usdt = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
    const to = '0xfd584430cafa2f451b4e2ebcf3986a21fff04350';
    const logs = await client.getLogs({
      fromBlock: 0x68b0n,
      toBlock: 0x68b3n,
      address: usdt,
      topics: [ERC20_TRANSFER_TOPIC, null, addressTopic(to)],
    });
    expect((seen[0] as RpcRequest).params[0]).toEqual({
      fromBlock: '0x68b0',
      toBlock: '0x68b3',
      address: usdt.toLowerCase(),
      topics: [ERC20_TRANSFER_TOPIC, null, '0x000000000000000000000000fd584430cafa2f451b4e2ebcf3986a21fff04350'],
    });
    expect(logs.map((l) => [l.logIndex, l.removed])).toEqual([
      [0n, false],
      [1n, true],
    ]);
    expect(decodeErc20TransferLog(logs[0]!)).toEqual({
      token: usdt,
      from: '0x712e3A792c974B3E3dbE41229Ad4290791C75A82',
      to: '0xfd584430cAfa2F451b4e2eBCF3986a21FFf04350',
      amount: 50_000_000n,
    });
    expect(decodeErc20TransferLog(logs[1]!)?.amount).toBe((1n << 256n) - 1n);
  });

  it('reads a receipt (spec example) and refuses one for another transaction', async () => {
    const receipt = fixture('receipt.json') as { transactionHash: string };
    const { client } = await node(() => ({ result: receipt }));
    const got = await client.getTransactionReceipt(receipt.transactionHash);
    expect(got).toMatchObject({
      status: 'success',
      blockNumber: 0x6f55n,
      gasUsed: 0x18c36n,
      effectiveGasPrice: 0x9502f907n,
      contractAddress: null,
    });
    await expect(client.getTransactionReceipt('0x' + '11'.repeat(32))).rejects.toBeInstanceOf(ProviderParseError);
  });

  it('null results: unknown block and pending receipt', async () => {
    const { client } = await node(() => ({ result: null }));
    expect(await client.getBlock(10n)).toBeNull();
    expect(await client.getTransactionReceipt('0x' + 'ab'.repeat(32))).toBeNull();
  });

  it('quantities: chain id, gas price, priority fee, nonce, balance, estimate; ERC20 balanceOf call data', async () => {
    const owner = '0x712e3A792c974B3E3dbE41229Ad4290791C75A82';
    const answers: Record<string, unknown> = {
      eth_chainId: '0x38',
      eth_gasPrice: '0x12a05f200',
      eth_maxPriorityFeePerGas: '0x3b9aca00',
      eth_getTransactionCount: '0x7',
      eth_getBalance: '0x21e19e0c9bab2400000',
      eth_estimateGas: '0x5208',
      eth_call: '0x00000000000000000000000000000000000000000000000000000000075bcd15',
    };
    const { client, seen } = await node((call) => ({ result: answers[call.method] }));
    expect(await client.chainId()).toBe(56n);
    expect(await client.gasPrice()).toBe(5_000_000_000n);
    expect(await client.maxPriorityFeePerGas()).toBe(1_000_000_000n);
    expect(await client.getTransactionCount(owner)).toBe(7n);
    expect(await client.getBalance(owner, 100n)).toBe(10_000n * 10n ** 18n);
    expect(await client.estimateGas({ from: owner, to: owner, value: 1n })).toBe(21_000n);
    expect(await client.erc20BalanceOf('0xdAC17F958D2ee523a2206206994597C13D831ec7', owner)).toBe(123_456_789n);
    const calls = seen as RpcRequest[];
    expect(calls.find((c) => c.method === 'eth_getTransactionCount')?.params).toEqual([owner.toLowerCase(), 'pending']);
    expect(calls.find((c) => c.method === 'eth_getBalance')?.params).toEqual([owner.toLowerCase(), '0x64']);
    expect(calls.find((c) => c.method === 'eth_call')?.params).toEqual([
      { to: '0xdac17f958d2ee523a2206206994597c13d831ec7', data: encodeBalanceOf(owner) },
      'latest',
    ]);
  });

  it('batches: one HTTP request, answers matched by id although returned out of order, split by maxBatchSize', async () => {
    const server = await node((call) => ({
      result: '0x' + BigInt((call.params[0] as string).slice(-2) === 'aa' ? 1 : 2).toString(16),
    }));
    const addresses = ['0x' + 'aa'.repeat(20), '0x' + 'bb'.repeat(20), '0x' + 'aa'.repeat(20)];
    expect(await server.client.getBalances(addresses)).toEqual([1n, 2n, 1n]);
    expect(server.seen).toHaveLength(1);
    expect(Array.isArray(server.seen[0])).toBe(true);
  });

  it('batched blocks keep the order asked and null for missing ones', async () => {
    const block = fixture('block.by-number.json') as Record<string, unknown>;
    const { client } = await node((call) => ({ result: call.params[0] === '0x68b3' ? block : null }));
    const blocks = await client.getBlocks([0x68b3n, 0x68b4n]);
    expect(blocks.map((b) => b?.number ?? null)).toEqual([0x68b3n, null]);
  });
});

describe('evm-rpc client: errors and hostile answers', () => {
  it('maps JSON-RPC error objects to EvmRpcError with a reason (revert, nonce too low), not retried', async () => {
    let calls = 0;
    const { client } = await node((call) => {
      calls += 1;
      return { error: fixture(call.method === 'eth_call' ? 'error.reverted.json' : 'error.nonce-too-low.json') };
    });
    const reverted = await client.call({ to: '0x' + '11'.repeat(20), data: '0x' }).catch((e: unknown) => e);
    expect(reverted).toBeInstanceOf(EvmRpcError);
    expect(reverted).toBeInstanceOf(ProviderResponseError);
    expect(reverted).toMatchObject({
      reason: 'execution-reverted',
      rpcCode: 3,
      code: 'PROVIDER_RESPONSE',
      name: 'EvmRpcError',
    });
    expect((reverted as EvmRpcError).rpcData).toMatch(/^0x08c379a0/);
    const stale = await client.sendRawTransaction('0x02f8').catch((e: unknown) => e);
    expect(stale).toMatchObject({ reason: 'nonce-too-low', rpcCode: -32000, method: 'eth_sendRawTransaction' });
    expect(calls).toBe(2);
  });

  it('wrong shapes are ProviderParseErrors: a number for a quantity, a short hash, a block other than asked', async () => {
    const bad: Record<string, unknown> = {
      eth_blockNumber: 123,
      eth_getTransactionCount: '0xzz',
      eth_getBlockByNumber: { ...(fixture('block.by-number.json') as object), number: '0x1' },
      eth_sendRawTransaction: '0x1234',
    };
    const { client } = await node((call) => ({ result: bad[call.method] }));
    await expect(client.blockNumber()).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.getTransactionCount('0x' + '11'.repeat(20))).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.getBlock(0x68b3n)).rejects.toThrow(/asked for block 26803, got block 1/);
    await expect(client.sendRawTransaction('0x02f8')).rejects.toBeInstanceOf(ProviderParseError);
  });

  it('refuses logs outside the requested range or from another contract', async () => {
    const logs = fixture('logs.transfer.json') as Array<Record<string, unknown>>;
    const { client } = await node(() => ({ result: logs }));
    await expect(client.getLogs({ fromBlock: 1n, toBlock: 2n })).rejects.toThrow(/outside the requested range/);
    await expect(
      client.getLogs({ fromBlock: 0x68b3n, toBlock: 0x68b3n, address: '0x' + '22'.repeat(20) }),
    ).rejects.toThrow(/not a requested contract/);
  });

  it('malformed JSON, a non-JSON-RPC body and a mismatched id are ProviderParseErrors', async () => {
    const answers: Answer[] = [
      { raw: '{"jsonrpc":"2.0","id":1,"result":"0x1' },
      { raw: '{"status":"ok"}' },
      { raw: '{"jsonrpc":"2.0","id":999999,"result":"0x1"}' },
      { raw: '{"jsonrpc":"2.0","id":1,"result":"0x1","error":{"code":1,"message":"both"}}' },
    ];
    const { client } = await node(() => answers.shift()!);
    for (let i = 0; i < 4; i++) await expect(client.chainId()).rejects.toBeInstanceOf(ProviderParseError);
  });

  it('a batch answer missing a call or repeating an id is refused', async () => {
    const server = await startSimulatorServer(async (req, res) => {
      const body = JSON.parse(await readRequestBody(req)) as RpcRequest[];
      sendJson(res, 200, [
        { jsonrpc: '2.0', id: body[0]!.id, result: '0x1' },
        { jsonrpc: '2.0', id: body[0]!.id, result: '0x1' },
      ]);
    });
    track(server);
    const client = createEvmRpcClient({ rpcUrl: server.url, resilience: { retries: 0 } });
    await expect(client.getBalances(['0x' + '11'.repeat(20), '0x' + '22'.repeat(20)])).rejects.toThrow(/repeated id/);
  });

  it('5xx is retried then a ProviderResponseError; a timeout is a ProviderTimeoutError; the breaker opens', async () => {
    let calls = 0;
    const { client } = await node(() => {
      calls += 1;
      return calls <= 2 ? { raw: 'upstream down', status: 502 } : { hang: true };
    });
    const down = await client.chainId().catch((e: unknown) => e);
    expect(down).toBeInstanceOf(ProviderResponseError);
    expect((down as ProviderResponseError).status).toBe(502);
    expect(calls).toBe(2); // one retry
    await expect(client.chainId()).rejects.toBeInstanceOf(ProviderTimeoutError);
    expect(client.http.circuitState()).toBe('open');
    await expect(client.chainId()).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('a head that goes backwards is reported, not trusted; resetHead accepts a restarted chain', async () => {
    const heads = ['0x64', '0x65', '0x60', '0x66'];
    const { client } = await node(() => ({ result: heads.shift() }));
    expect(await client.blockNumber()).toBe(100n);
    expect(await client.blockNumber()).toBe(101n);
    const regressed = await client.blockNumber().catch((e: unknown) => e);
    expect(regressed).toBeInstanceOf(EvmHeadRegressedError);
    expect(regressed).toMatchObject({
      previousHead: 101n,
      reportedHead: 96n,
      tag: 'latest',
      code: 'PROVIDER_RESPONSE',
    });
    expect(await client.blockNumber()).toBe(102n);
    client.resetHead();
  });

  it('the finalized tag is tracked on its own', async () => {
    const base = fixture('block.by-number.json') as Record<string, unknown>;
    const numbers = ['0x10', '0x20', '0x0f'];
    const { client } = await node(() => ({ result: { ...base, number: numbers.shift() } }));
    expect((await client.getBlock('finalized'))?.number).toBe(16n);
    expect((await client.getBlock('latest'))?.number).toBe(32n);
    await expect(client.getBlock('finalized')).rejects.toMatchObject({
      tag: 'finalized',
      previousHead: 16n,
      reportedHead: 15n,
    });
  });

  it('rejects bad input locally, without a request', async () => {
    const { client, seen } = await node(() => ({ result: '0x0' }));
    await expect(client.getBalance('not-an-address')).rejects.toThrow(TypeError);
    await expect(client.sendRawTransaction('deadbeef')).rejects.toThrow(TypeError);
    expect(seen).toHaveLength(0);
  });
});

describe('evm-rpc client: fee history and transactions by hash', () => {
  const history = {
    oldestBlock: '0x19a37fec',
    reward: [
      ['0x0', '0x3b9aca00'],
      ['0x1', '0x77359400'],
    ],
    baseFeePerGas: ['0x1312d00', '0x1321f30', '0x132b3a0'],
    gasUsedRatio: [1, 0.2711605714285714],
  };

  it('reads eth_feeHistory: one base fee per block plus the next, one reward per percentile', async () => {
    const { client, seen } = await node(() => ({ result: history }));
    const read = await client.feeHistory(2, 'latest', [25, 75]);
    expect(seen[0]).toMatchObject({ method: 'eth_feeHistory', params: ['0x2', 'latest', [25, 75]] });
    expect(read.oldestBlock).toBe(0x19a37fecn);
    expect(read.baseFeePerGas).toEqual([0x1312d00n, 0x1321f30n, 0x132b3a0n]);
    expect(read.reward).toEqual([
      [0n, 1_000_000_000n],
      [1n, 2_000_000_000n],
    ]);
  });

  it('refuses a fee history whose lengths do not fit, and bad arguments without a request', async () => {
    const { client, seen } = await node(() => ({ result: { ...history, baseFeePerGas: ['0x1'] } }));
    await expect(client.feeHistory(2, 'latest', [25, 75])).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.feeHistory(0)).rejects.toBeInstanceOf(RangeError);
    await expect(client.feeHistory(2, 'latest', [75, 25])).rejects.toBeInstanceOf(RangeError);
    expect(seen).toHaveLength(1);
  });

  it('eth_getTransactionByHash: null when unknown; a transaction for another hash is refused', async () => {
    const hash = '0x' + 'ab'.repeat(32);
    const { client } = await node(() => ({ result: null }));
    expect(await client.getTransactionByHash(hash)).toBeNull();
    const other = await node(() => ({
      result: {
        hash: '0x' + 'cd'.repeat(32),
        from: '0x' + '11'.repeat(20),
        to: null,
        value: '0x0',
        input: '0x',
        nonce: '0x1',
        gas: '0x5208',
        blockHash: null,
        blockNumber: null,
        transactionIndex: null,
      },
    }));
    await expect(other.client.getTransactionByHash(hash)).rejects.toBeInstanceOf(ProviderParseError);
  });
});
