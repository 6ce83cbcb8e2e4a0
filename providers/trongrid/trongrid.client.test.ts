import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, fixtureReader } from '../../testing/provider-fixtures.js';
import {
  ProviderParseError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderTimeoutError,
} from '../http/http.errors.js';
import { readRequestBody, sendJson, startSimulatorServer } from '../../devnet/http/simulator.server.js';
import { trc20TransfersOf } from './trc20.js';
import { TRON_API_KEY_HEADER, createTronGridClient } from './trongrid.client.js';
import { TronBroadcastError, TronContractCallError, TronHeadRegressedError } from './trongrid.errors.js';

const fixture = fixtureReader(import.meta.url);
const track = closeAfterEach();

interface Seen {
  path: string;
  body: unknown;
  headers: IncomingMessage['headers'];
  query: URLSearchParams;
}

/** Serves `route(path)` → [status, body text] or 'hang'. */
async function tronGrid(
  route: (path: string, body: unknown) => [number, string] | 'hang',
  apiKey: string | null = null,
) {
  const seen: Seen[] = [];
  const server = await startSimulatorServer(async (req, res, url) => {
    const text = await readRequestBody(req);
    const body: unknown = text ? JSON.parse(text) : null;
    seen.push({ path: url.pathname, body, headers: req.headers, query: url.searchParams });
    const answer = route(url.pathname, body);
    if (answer === 'hang') return;
    sendJson(res, answer[0], answer[1]);
  });
  track(server);
  const client = createTronGridClient({
    baseUrl: server.url,
    apiKey,
    resilience: { retries: 1, backoff: { initialMs: 5, maxMs: 10 }, timeoutMs: 400, breaker: false },
  });
  return { client, seen };
}

const OWNER = 'TWAFRfZFmhVQZjxM3De7Mp5UZ9sLqWqpHp';

describe('trongrid client: documented formats', () => {
  it('getnowblock: height, ids, timestamp; TRX amounts above 2^53 exact; contracts decoded to base58', async () => {
    const { client, seen } = await tronGrid(() => [200, fixture('getnowblock.json')], 'key-123');
    const block = await client.getNowBlock();
    expect(seen[0]).toMatchObject({ path: '/wallet/getnowblock', body: {} });
    expect(seen[0]!.headers[TRON_API_KEY_HEADER.toLowerCase()]).toBe('key-123');
    expect(block).toMatchObject({
      number: 66987627,
      blockID: '0000000003fe266bf6b6d392f654dc2e5011601546ed04623d9fcc4e9d439a25',
      parentHash: '0000000003fe266a65d5194c947f6f7a059d4646c8e9a5293226bc7fdcfc775e',
      timestamp: 1777445307000,
    });
    const [transfer, trigger, freeze] = block.transactions;
    expect(transfer).toMatchObject({
      contractRet: 'SUCCESS',
      contract: {
        type: 'TransferContract',
        amount: 9007199254740993n,
        owner: expect.stringMatching(/^T/),
        to: expect.stringMatching(/^T/),
      },
    });
    expect(trigger!.contract).toMatchObject({
      type: 'TriggerSmartContract',
      callValue: 0n,
      data: expect.stringMatching(/^a9059cbb/),
    });
    expect(trigger!.feeLimit).toBe(10_000_000_000n);
    expect(freeze!.contract).toEqual({ type: 'Other', contractType: 'FreezeBalanceV2Contract' });
  });

  it('an empty block (no transactions field) and an unknown block ({})', async () => {
    const answers = [fixture('getblockbynum.empty.json'), '{}'];
    const { client, seen } = await tronGrid(() => [200, answers.shift()!]);
    const block = await client.getBlockByNumber(66987565);
    expect(seen[0]).toMatchObject({ path: '/wallet/getblockbynum', body: { num: 66987565 } });
    expect(block?.transactions).toEqual([]);
    expect(await client.getBlockByNumber(99999999)).toBeNull();
  });

  it('getblockbylimitnext: sorted ascending, range checked, chunked by 100', async () => {
    const { client, seen } = await tronGrid((_path, body) => {
      const { startNum } = body as { startNum: number };
      return [200, startNum === 66987565 ? fixture('getblockbylimitnext.json') : '{}'];
    });
    const blocks = await client.getBlockRange(66987565, 66987567);
    expect(blocks.map((b) => b.number)).toEqual([66987565, 66987566]);
    expect(seen[0]!.body).toEqual({ startNum: 66987565, endNum: 66987567 });
    const wide = await tronGrid((_p, body) => {
      const { startNum } = body as { startNum: number };
      return [200, startNum === 66987565 ? fixture('getblockbylimitnext.json') : '{}'];
    });
    await expect(wide.client.getBlockRange(66987565, 66987565 + 250)).resolves.toHaveLength(2);
    expect(wide.seen.map((s) => s.body)).toEqual([{ startNum: 66987565, endNum: 66987665 }]); // stopped at the head
    const outside = await tronGrid(() => [200, fixture('getblockbylimitnext.json')]);
    await expect(outside.client.getBlockRange(66987566, 66987567)).rejects.toThrow(/outside/);
  });

  it('transaction infos: fees, TRC20 Transfer logs decoded, failed transactions yield no transfers', async () => {
    const { client } = await tronGrid(() => [200, fixture('gettransactioninfobyblocknum.json')]);
    const infos = await client.getTransactionInfoByBlockNum(66987565);
    expect(infos.map((i) => [i.fee, i.success, i.receiptResult])).toEqual([
      [267_000n, true, null],
      [5_254_500n, true, 'SUCCESS'],
      [10_000_000_000n, false, 'OUT_OF_ENERGY'],
    ]);
    expect(infos[2]!.resMessage).toBe('Not enough energy');
    expect(trc20TransfersOf(infos[1]!)).toEqual([
      {
        contract: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
        from: 'TWAFRfZFmhVQZjxM3De7Mp5UZ9sLqWqpHp',
        to: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
        amount: 50_000_000n,
        logIndex: 0,
      },
    ]);
    expect(trc20TransfersOf({ ...infos[1]!, success: false })).toEqual([]);
    await expect(client.getTransactionInfoByBlockNum(1)).rejects.toThrow(/not 1/);
  });

  it('getaccount: TRX balance; {} is an account that does not exist yet (0)', async () => {
    const answers = [fixture('getaccount.json'), '{}'];
    const { client, seen } = await tronGrid(() => [200, answers.shift()!]);
    expect(await client.getAccount(OWNER)).toMatchObject({
      exists: true,
      balance: 1_793_227_200n,
      createTime: 1776933207000,
    });
    expect(seen[0]!.body).toEqual({ address: '41dd791d6b49e190062d650e6a23c575510d35f2f9', visible: false });
    expect(await client.getBalance(OWNER)).toBe(0n);
  });

  it('TRC20 balanceOf via triggerconstantcontract; a missing contract is a TronContractCallError', async () => {
    const answers = [fixture('triggerconstantcontract.json'), fixture('triggerconstantcontract.no-contract.json')];
    const { client, seen } = await tronGrid(() => [200, answers.shift()!]);
    expect(await client.trc20BalanceOf('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', OWNER)).toBe(0x40cfcc00n);
    expect(seen[0]!.body).toEqual({
      owner_address: '41dd791d6b49e190062d650e6a23c575510d35f2f9',
      contract_address: '41a614f803b6fd780986a42c78ec9c7f77e6ded13c',
      function_selector: 'balanceOf(address)',
      parameter: '000000000000000000000000dd791d6b49e190062d650e6a23c575510d35f2f9',
      visible: false,
    });
    const missing = await client.trc20BalanceOf('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', OWNER).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TronContractCallError);
    expect(missing).toMatchObject({ tronCode: 'CONTRACT_VALIDATE_ERROR', detail: 'Smart contract is not exist.' });
  });

  it('broadcast: success returns the txid; a refusal is a TronBroadcastError with the decoded message', async () => {
    const answers = [fixture('broadcast.success.json'), fixture('broadcast.sigerror.json')];
    const { client, seen } = await tronGrid(() => [200, answers.shift()!]);
    const tx = {
      visible: false as const,
      txID: 'd5ec749ecc2a615399d8a6c864ea4c74ff9f8453eaa44d6b1e2f0b7b3e2f3b6a',
      raw_data: JSON.parse(fixture('getnowblock.json')).transactions[0].raw_data,
      raw_data_hex: '0a02',
      signature: ['00'],
      from: OWNER,
    };
    expect(await client.broadcastTransaction(tx)).toBe(tx.txID);
    expect(Object.keys(seen[0]!.body as object).sort()).toEqual([
      'raw_data',
      'raw_data_hex',
      'signature',
      'txID',
      'visible',
    ]);
    const refused = await client.broadcastTransaction(tx).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TronBroadcastError);
    expect(refused).toMatchObject({ tronCode: 'SIGERROR', detail: 'validateSignature error', txid: tx.txID });
    expect(seen).toHaveLength(2); // never retried
  });

  it('TRC20 history (v1): query in snake_case, exact 256-bit values, fingerprint for the next page', async () => {
    const { client, seen } = await tronGrid(() => [200, fixture('trc20-transactions.json')]);
    const page = await client.trc20Transfers(OWNER, {
      contract: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
      onlyConfirmed: true,
      onlyTo: true,
      limit: 2,
      order: 'asc',
    });
    expect(seen[0]!.path).toBe(`/v1/accounts/${OWNER}/transactions/trc20`);
    expect(Object.fromEntries(seen[0]!.query)).toEqual({
      only_confirmed: 'true',
      only_to: 'true',
      limit: '2',
      contract_address: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
      order_by: 'block_timestamp,asc',
    });
    expect(page.fingerprint).toBe('7Ae5SrCqLUbzWqpFr4eFq');
    expect(page.transfers[0]).toMatchObject({
      value: 195_170_000n,
      token: { symbol: 'USDT', decimals: 6 },
      type: 'Transfer',
    });
    expect(page.transfers[1]!.value).toBe((1n << 256n) - 1n);
  });
});

describe('trongrid client: errors and hostile answers', () => {
  it('{"Error": …} with HTTP 200 is a ProviderResponseError, not data', async () => {
    const { client } = await tronGrid(() => [200, fixture('error.node.json')]);
    const error = await client.getAccount(OWNER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as Error).message).toMatch(/INVALID hex String/);
  });

  it("TronGrid's rate-limit body sets the back-off; later calls are refused without a request", async () => {
    const { client, seen } = await tronGrid(() => [403, fixture('error.rate-limit.json')]);
    const error = await client.getNowBlock().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRateLimitedError);
    expect((error as ProviderRateLimitedError).retryAfterMs).toBe(5_000);
    await expect(client.getNowBlock()).rejects.toBeInstanceOf(ProviderRateLimitedError);
    expect(seen).toHaveLength(1);
  });

  it('malformed JSON, wrong shapes and a block id that does not encode its height are ProviderParseErrors', async () => {
    const block = JSON.parse(fixture('getblockbynum.empty.json'));
    const answers = [
      '{"blockID":"00000000',
      JSON.stringify({ ...block, blockID: 'zz' }),
      JSON.stringify({
        ...block,
        block_header: { ...block.block_header, raw_data: { ...block.block_header.raw_data, number: 5 } },
      }),
      JSON.stringify([{ id: 'ab', blockNumber: 1, blockTimeStamp: 1 }]),
    ];
    const { client } = await tronGrid(() => [200, answers.shift()!]);
    await expect(client.getNowBlock()).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.getNowBlock()).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.getNowBlock()).rejects.toThrow(/does not encode height 5/);
    await expect(client.getTransactionInfoByBlockNum(1)).rejects.toBeInstanceOf(ProviderParseError);
  });

  it('5xx is retried, a hang times out', async () => {
    let calls = 0;
    const { client } = await tronGrid(() => {
      calls += 1;
      return calls <= 2 ? [502, '<html>bad gateway</html>'] : 'hang';
    });
    await expect(client.getNowBlock()).rejects.toMatchObject({ status: 502 });
    expect(calls).toBe(2);
    await expect(client.getNowBlock()).rejects.toBeInstanceOf(ProviderTimeoutError);
  });

  it('a head that goes backwards is a TronHeadRegressedError (latest and solidified tracked apart)', async () => {
    const block = JSON.parse(fixture('getnowblock.json'));
    const at = (n: number) =>
      JSON.stringify({
        ...block,
        blockID: n.toString(16).padStart(16, '0') + block.blockID.slice(16),
        block_header: { ...block.block_header, raw_data: { ...block.block_header.raw_data, number: n } },
      });
    const answers = [at(100), at(90), at(99), at(80)];
    const { client } = await tronGrid(() => [200, answers.shift()!]);
    expect((await client.getNowBlock()).number).toBe(100);
    expect((await client.getNowBlock({ solidified: true })).number).toBe(90);
    await expect(client.getNowBlock()).rejects.toMatchObject({
      name: 'TronHeadRegressedError',
      previousHead: 100,
      reportedHead: 99,
    });
    await expect(client.getNowBlock({ solidified: true })).rejects.toBeInstanceOf(TronHeadRegressedError);
  });

  it('bad input is refused locally', async () => {
    const { client, seen } = await tronGrid(() => [200, '{}']);
    await expect(client.getBalance('41dd791d6b49e190062d650e6a23c575510d35f2f9')).rejects.toThrow(TypeError);
    await expect(client.getBlockByNumber(-1)).rejects.toThrow(RangeError);
    await expect(client.trc20Transfers(OWNER, { limit: 500 })).rejects.toThrow(RangeError);
    expect(seen).toHaveLength(0);
  });
});

describe('trongrid client: fee inputs', () => {
  it('getchainparameters: values by key, exact (zero omitted as protobuf JSON does, -1 kept)', async () => {
    const { client, seen } = await tronGrid(() => [
      200,
      '{"chainParameter":[{"key":"getEnergyFee","value":210},{"key":"getTransactionFee","value":1000},' +
        '{"key":"getAllowCreationOfContracts"},{"key":"getRemoveThePowerOfTheGr","value":-1},' +
        '{"key":"getTotalEnergyLimit","value":90000000000000000123}]}',
    ]);
    const params = await client.getChainParameters();
    expect(seen[0]!.path).toBe('/wallet/getchainparameters');
    expect(params.get('getEnergyFee')).toBe(210n);
    expect(params.get('getTransactionFee')).toBe(1000n);
    expect(params.get('getAllowCreationOfContracts')).toBe(0n);
    expect(params.get('getRemoveThePowerOfTheGr')).toBe(-1n);
    expect(params.get('getTotalEnergyLimit')).toBe(90000000000000000123n);
  });

  it('triggerconstantcontract with raw data: energy used; a revert is a TronContractCallError', async () => {
    const ok = await tronGrid(() => [
      200,
      JSON.stringify({ result: { result: true }, energy_used: 64285, constant_result: ['0'.repeat(63) + '1'] }),
    ]);
    const data = 'a9059cbb' + '0'.repeat(128);
    expect(await ok.client.triggerConstantContract({ owner: OWNER, contract: OWNER, data })).toEqual({
      energyUsed: 64285,
      constantResult: ['0'.repeat(63) + '1'],
    });
    expect(ok.seen[0]!.body).toMatchObject({ data, visible: false });
    const reverted = await tronGrid(() => [
      200,
      JSON.stringify({ result: { result: true }, energy_used: 211, transaction: { ret: [{ ret: 'FAILED' }] } }),
    ]);
    await expect(
      reverted.client.triggerConstantContract({ owner: OWNER, contract: OWNER, data }),
    ).rejects.toBeInstanceOf(TronContractCallError);
  });
});
