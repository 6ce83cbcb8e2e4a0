import type { IncomingMessage } from 'node:http';
import { MAINNET_CHAIN_IDENTITY } from '../../platform/config/chains.js';
import { Address, beginCell, Cell, external, storeMessage } from '@ton/core';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, fixtureReader } from '../../testing/provider-fixtures.js';
import { ProviderParseError, ProviderRateLimitedError, ProviderResponseError } from '../http/http.errors.js';
import { readRequestBody, sendJson, startSimulatorServer } from '../../devnet/http/simulator.server.js';
import { TON_API_KEY_HEADER, createToncenterClient } from './toncenter.client.js';
import { TonHeadRegressedError, TonSendRejectedError } from './toncenter.errors.js';
import { normalizeTonAddress } from './toncenter.wire.js';

const fixture = fixtureReader(import.meta.url);
const track = closeAfterEach();

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage['headers'];
}

async function toncenter(route: (path: string) => [number, string]) {
  const seen: Seen[] = [];
  const server = await startSimulatorServer(async (req, res, url) => {
    const text = await readRequestBody(req);
    seen.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : null,
      headers: req.headers,
    });
    const [status, body] = route(url.pathname);
    sendJson(res, status, body);
  });
  track(server);
  const client = createToncenterClient({
    baseUrl: server.url,
    apiKey: 'ton-key',
    resilience: { retries: 0, breaker: false, rateLimit: { maxWaitMs: 0 } },
  });
  return { client, seen };
}

const raw = (text: string) => normalizeTonAddress(text);
const USDT = 'EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs';
const OWNER = '0:1F5806C73D03BBC96EB7EEBF16067F1F2E8E270CFA16D57001AA9EAF7456F008';

describe('toncenter client: API v2', () => {
  it('getMasterchainInfo: seqno and hashes (base64 → hex), API key header', async () => {
    const { client, seen } = await toncenter(() => [200, fixture('v2.getMasterchainInfo.json')]);
    const head = await client.getMasterchainInfo();
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/api/v2/getMasterchainInfo' });
    expect(seen[0]!.headers[TON_API_KEY_HEADER.toLowerCase()]).toBe('ton-key');
    expect(head).toEqual({
      seqno: 82744100,
      rootHash: '0d0b8cfd4476c7f0a84935a163fb7be52172422eebb667ec190e478937eda633',
      fileHash: '86f97a56821ce3629abd3c59884b87ebcaea1933eb96bc84e91646e304043729',
      initSeqno: 0,
      // mainnet's zero state (F6OpKZKqvqeFp6CQmFomXNMfMj2EnaUSOXN+Mh+wVWk=): what the TON watcher pins in production
      initRootHash: MAINNET_CHAIN_IDENTITY.TON.genesisHash,
    });
  });

  it('getAddressBalance: nanotons as bigint; the address is sent raw', async () => {
    const { client, seen } = await toncenter(() => [200, fixture('v2.getAddressBalance.json')]);
    expect(await client.getAddressBalance(raw(OWNER))).toBe(1_498_700_000n);
    expect(seen[0]!.query.get('address')).toBe(OWNER.toLowerCase());
  });

  it('runGetMethod: seqno, an undeployed wallet (-13 → 0), get_wallet_address and get_wallet_data', async () => {
    const answers = [
      'v2.runGetMethod.seqno.json',
      'v2.runGetMethod.uninit.json',
      'v2.runGetMethod.get_wallet_address.json',
      'v2.runGetMethod.get_wallet_data.json',
    ];
    const { client, seen } = await toncenter(() => [200, fixture(answers.shift()!)]);
    expect(await client.getSeqno(raw(OWNER))).toBe(27);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/api/v2/runGetMethod',
      body: { address: OWNER.toLowerCase(), method: 'seqno', stack: [] },
    });
    expect(await client.getSeqno(raw(OWNER))).toBe(0);
    const wallet = await client.getJettonWalletAddress(USDT, raw(OWNER));
    expect(wallet).toBe(raw('0:B7F5CD75F68A8F91A07E7E203CFC429F7A33F6E3F232282344C8A154B2F5EC7C'));
    const [, arg] = (seen[2]!.body as { stack: [[string, string]] }).stack[0];
    expect((seen[2]!.body as { stack: [[string, string]] }).stack[0][0]).toBe('tvm.Slice');
    expect(Cell.fromBase64(arg).beginParse().loadAddress().toRawString()).toBe(OWNER.toLowerCase());
    expect(await client.getJettonWalletData(wallet)).toEqual({
      balance: 17_000_000n,
      owner: raw(OWNER),
      master: raw(USDT),
    });
  });

  it('sendBoc: ok returns the message hash; a rejected message (exitcode=33) is a TonSendRejectedError', async () => {
    const answers: Array<[number, string]> = [
      [200, fixture('v2.sendBoc.json')],
      [500, fixture('v2.sendBoc.rejected.json')],
    ];
    const { client, seen } = await toncenter(() => answers.shift()!);
    const message = beginCell()
      .store(storeMessage(external({ to: Address.parseRaw(OWNER), body: beginCell().storeUint(7, 32).endCell() })))
      .endCell();
    const boc = message.toBoc().toString('base64');
    expect(await client.sendBoc(boc)).toEqual({ messageHash: message.hash().toString('hex') });
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/api/v2/sendBoc', body: { boc } });
    const rejected = await client.sendBoc(boc).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(TonSendRejectedError);
    expect(rejected).toMatchObject({ exitCode: 33, status: 500 });
    expect(seen).toHaveLength(2); // never retried
    await expect(client.sendBoc('not base64 boc')).rejects.toThrow(TypeError);
  });

  it('ok:false with HTTP 200 is an error; 429 is a rate limit; a head going back is refused', async () => {
    const info = JSON.parse(fixture('v2.getMasterchainInfo.json'));
    const lower = { ...info, result: { ...info.result, last: { ...info.result.last, seqno: 82744099 } } };
    const answers: Array<[number, string]> = [
      [200, JSON.stringify({ ok: false, error: 'LITE_SERVER_NOTREADY', code: 651 })],
      [429, fixture('v2.rate-limit.json')],
    ];
    const { client } = await toncenter(() => answers.shift()!);
    await expect(client.getMasterchainInfo()).rejects.toBeInstanceOf(ProviderResponseError);
    await expect(client.getMasterchainInfo()).rejects.toBeInstanceOf(ProviderRateLimitedError);

    const heads: Array<[number, string]> = [
      [200, fixture('v2.getMasterchainInfo.json')],
      [200, JSON.stringify(lower)],
    ];
    const other = await toncenter(() => heads.shift()!);
    await other.client.getMasterchainInfo();
    await expect(other.client.getMasterchainInfo()).rejects.toBeInstanceOf(TonHeadRegressedError);
  });
});

describe('toncenter client: API v3', () => {
  it('transactions: repeated account filters, lt as bigint, hashes hex, messages decoded', async () => {
    const { client, seen } = await toncenter(() => [200, fixture('v3.transactions.json')]);
    const a = raw('0:D8CA6DD04573304609A70EE5104A8D29090E1FC631B29A8E0411172AAA52885A');
    const txs = await client.getTransactions({
      account: [a, raw(OWNER)],
      startLt: 93307000000000n,
      limit: 50,
      sort: 'asc',
    });
    expect(seen[0]!.path).toBe('/api/v3/transactions');
    expect(seen[0]!.query.getAll('account')).toEqual([a, raw(OWNER)].map((x) => Address.parse(x).toRawString()));
    expect(Object.fromEntries([...seen[0]!.query].filter(([k]) => k !== 'account'))).toEqual({
      start_lt: '93307000000000',
      limit: '50',
      sort: 'asc',
    });
    const [credit, notification] = txs;
    expect(credit).toMatchObject({
      account: a,
      hash: '86f97a56821ce3629abd3c59884b87ebcaea1933eb96bc84e91646e304043729',
      lt: 93307000000009n,
      mcSeqno: 82744100,
      origStatus: 'nonexist',
      endStatus: 'uninit',
      aborted: true,
      computeSuccess: null,
      blockRef: { workchain: 0, shard: '8000000000000000', seqno: 87315937 },
    });
    expect(credit!.inMsg).toMatchObject({
      source: raw('0:21D6615A74625CA8BEB3C7A5777978A1239EE8148B1DF18C7B8A8A3215523DA0'),
      value: 1_000_000_000n,
      opcode: null,
      bounce: false,
    });
    expect(notification!.inMsg).toMatchObject({ opcode: 0x7362d09c, value: 1n });
  });

  it('jetton transfers: owners, wallets and masters normalized; the claimed master kept as reported', async () => {
    const { client, seen } = await toncenter(() => [200, fixture('v3.jetton-transfers.json')]);
    const transfers = await client.getJettonTransfers({
      ownerAddress: raw(OWNER),
      direction: 'in',
      jettonMaster: USDT,
      limit: 2,
    });
    expect(seen[0]!.path).toBe('/api/v3/jetton/transfers');
    expect(seen[0]!.query.get('jetton_master')).toBe(Address.parse(USDT).toRawString());
    expect(transfers[1]).toMatchObject({
      queryId: 2632245n,
      amount: 17_000_000n,
      jettonMaster: raw(USDT),
      sourceWallet: raw('0:B7F5CD75F68A8F91A07E7E203CFC429F7A33F6E3F232282344C8A154B2F5EC7C'),
      transactionLt: 46760680000003n,
      transactionAborted: false,
      forwardTonAmount: 1n,
      traceId: null,
    });
    expect(transfers[0]!.amount).toBe(1_000_000_000_000n);
  });

  it('jetton wallets, masterchain info and blocks', async () => {
    const routes: Record<string, string> = {
      '/api/v3/jetton/wallets': 'v3.jetton-wallets.json',
      '/api/v3/masterchainInfo': 'v3.masterchainInfo.json',
      '/api/v3/blocks': 'v3.blocks.json',
    };
    const { client, seen } = await toncenter((path) => [200, fixture(routes[path]!)]);
    expect(await client.getJettonWallets({ ownerAddress: raw(OWNER), jettonAddress: USDT })).toMatchObject([
      { balance: 17_000_000n, owner: raw(OWNER), jetton: raw(USDT), lastTransactionLt: 46760680000003n },
    ]);
    const info = await client.getIndexedMasterchainInfo();
    expect([info.first.seqno, info.last.seqno, info.last.genUtime]).toEqual([1, 82744100, 1785330571]);
    const block = await client.getMasterchainBlock(82744100);
    expect(block).toMatchObject({ seqno: 82744100, workchain: -1, txCount: 3, startLt: 93307000000000n });
    expect(Object.fromEntries(seen[2]!.query)).toEqual({
      workchain: '-1',
      shard: '8000000000000000',
      seqno: '82744100',
      limit: '1',
    });
    await expect(client.getMasterchainBlock(5)).rejects.toBeInstanceOf(ProviderParseError);
  });

  it('errors: v3 {error} on 4xx, malformed JSON, wrong shapes; bad input refused locally', async () => {
    const answers: Array<[number, string]> = [
      [422, fixture('v3.error.json')],
      [200, '{"transactions":[{"account":'],
      [200, JSON.stringify({ transactions: [{ account: 'nonsense' }] })],
    ];
    const { client, seen } = await toncenter(() => answers.shift()!);
    await expect(client.getTransactions({ account: raw(OWNER) })).rejects.toMatchObject({ status: 422 });
    await expect(client.getTransactions({ account: raw(OWNER) })).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.getTransactions({ account: raw(OWNER) })).rejects.toBeInstanceOf(ProviderParseError);
    await expect(client.getTransactions({ account: 'EQ-not-an-address' })).rejects.toThrow(TypeError);
    await expect(client.getTransactions({ limit: 5000 })).rejects.toThrow(RangeError);
    expect(seen).toHaveLength(3);
  });
});

describe('toncenter client: fee estimates and transactions by message', () => {
  it('v2 estimateFee: the unsigned body with ignore_chksig, source and destination fees in nanotons', async () => {
    const { client, seen } = await toncenter(() => [
      200,
      JSON.stringify({
        ok: true,
        result: {
          '@type': 'query.fees',
          source_fees: {
            '@type': 'fees',
            in_fwd_fee: 1_307_200,
            storage_fee: 1,
            gas_fee: 2_769_600,
            fwd_fee: 1_000_000,
          },
          destination_fees: [{ '@type': 'fees', in_fwd_fee: 0, storage_fee: 0, gas_fee: 0, fwd_fee: 0 }],
          '@extra': '1.2:0:0.3',
        },
      }),
    ]);
    const estimate = await client.estimateFee({ address: OWNER, body: 'te6cc', initCode: 'code', initData: null });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/api/v2/estimateFee',
      body: { address: OWNER.toLowerCase(), body: 'te6cc', init_code: 'code', ignore_chksig: true },
    });
    expect(estimate.source).toEqual({
      inForwardFee: 1_307_200n,
      storageFee: 1n,
      gasFee: 2_769_600n,
      forwardFee: 1_000_000n,
      total: 5_076_801n,
    });
    expect(estimate.destination).toHaveLength(1);
  });

  it('v3 transactionsByMessage: asks by hex message hash and direction', async () => {
    const { client, seen } = await toncenter(() => [200, fixture('v3.transactions.json')]);
    const hash = 'ab'.repeat(32);
    const txs = await client.getTransactionsByMessage(hash);
    expect(seen[0]!.path).toBe('/api/v3/transactionsByMessage');
    expect(seen[0]!.query.get('msg_hash')).toBe(hash);
    expect(seen[0]!.query.get('direction')).toBe('in');
    expect(txs.length).toBeGreaterThan(0);
    await expect(client.getTransactionsByMessage('nothex')).rejects.toBeInstanceOf(TypeError);
  });
});
