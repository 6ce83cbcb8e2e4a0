import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';
import { DepositIngest } from './deposit.ingest.js';
import { type CursorState, type ScannedBlock } from '../../../chains/source.js';

/**
 * A staff change of an asset's minimum deposit (market `updateAsset`) reaches the wallet through
 * `market.asset.updated`: a deposit below the new minimum is recorded (IGNORED, visible to its owner) and
 * never credited; one above it is credited as before.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const CONFIRMATIONS = 2;
const ETH = 10n ** 18n;

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hash = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`;

describe('minimum deposit set by staff', () => {
  it('a deposit below the minimum set in the market is recorded as IGNORED and not credited; one above it is credited', async () => {
    const signIn = await gql(
      stack.graphqlUrl,
      `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
      { d: initDataFor(newTelegramUser()) },
    );
    const token = signIn.body.data!.signInWithTelegram.accessToken as string;
    const address = (await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, token)).body
      .data!.me.depositAddress.address as string;

    // the catalogue's minimum is 0.001 ETH; staff raise it to 0.5 ETH
    const admin = await signInStaff(stack, ['ADMIN']);
    const updated = await gql(
      stack.graphqlUrl,
      `mutation { updateAsset(input: { symbol: "ETH", minDeposit: "0.5" }) { minDeposit } }`,
      {},
      admin.token,
    );
    expect(updated.body.data).toEqual({ updateAsset: { minDeposit: '0.5' } });
    const walletEm = stack.subgraphs.get('wallet')!.deps.orm.em;
    const copied = await until(
      () =>
        walletEm
          .fork()
          .getConnection()
          .execute<{ min_deposit: string }[]>(
            `select min_deposit::text as min_deposit from wallet.asset_minimum where symbol = 'ETH'`,
          ),
      (rows) => rows[0]?.min_deposit === (ETH / 2n).toString(),
    );
    expect(copied).toEqual([{ min_deposit: (ETH / 2n).toString() }]);

    // a chain: block 1 carries 0.1 ETH (above the catalogue's minimum, below the new one) and 1 ETH
    const ingest = new DepositIngest(
      { network: 'ETH', confirmations: CONFIRMATIONS, reorgWindow: stack.config.chains.reorgWindow },
      stack.log,
    );
    let cursor: CursorState = await ingest.initCursor(
      walletEm.fork(),
      { height: 1000n, hash: hash(1000n) },
      hash(999n),
    );
    const block = (height: bigint, transfers: ScannedBlock['transfers']): ScannedBlock => ({
      height,
      hash: hash(height),
      parentHash: hash(height - 1n),
      transactions: transfers.length,
      transfers,
    });
    const from = '0x000000000000000000000000000000000000dEaD';
    const small = { asset: 'ETH', txHash: hash(0xa1n), outputIndex: 0, from, to: address, amount: ETH / 10n };
    const large = { asset: 'ETH', txHash: hash(0xa2n), outputIndex: 0, from, to: address, amount: ETH };
    for (const b of [block(1001n, [small, large]), block(1002n, []), block(1003n, [])]) {
      const outcome = await ingest.ingest(walletEm.fork(), cursor, [b]);
      expect(outcome.applied).toBe(true);
      cursor = { height: b.height, hash: b.hash };
    }

    const DEPOSITS = `query($n: Network!, $h: String!) { depositsByTxHash(network: $n, txHash: $h) { id status amount asset { symbol } } }`;
    const credited = await until(
      () => gql(stack.graphqlUrl, DEPOSITS, { n: 'ETH', h: large.txHash }, token),
      (res) => res.body.data?.depositsByTxHash?.[0]?.status === 'CREDITED',
    );
    expect(credited.body.data!.depositsByTxHash).toEqual([
      { id: expect.any(String), status: 'CREDITED', amount: '1', asset: { symbol: 'ETH' } },
    ]);
    const ignored = await gql(stack.graphqlUrl, DEPOSITS, { n: 'ETH', h: small.txHash }, token);
    expect(ignored.body.data!.depositsByTxHash).toEqual([
      { id: expect.any(String), status: 'IGNORED', amount: '0.1', asset: { symbol: 'ETH' } },
    ]);
    const balance = await gql(stack.graphqlUrl, `{ me { balances(assets: ["ETH"]) { available } } }`, {}, token);
    expect(balance.body.data!.me.balances).toEqual([{ available: '1' }]);
    // nothing asked the ledger to credit the small one
    const requests = await walletEm
      .fork()
      .getConnection()
      .execute<{ subject: string }[]>(
        `select subject from wallet.outbox where envelope->'payload'->>'txHash' = ? order by occurred_at`,
        [small.txHash],
      );
    expect(requests.map((r) => r.subject.replace(stack.config.nats.subjectPrefix, ''))).toEqual([
      'wallet.deposit.ignored',
    ]);
    expect(errorCode(ignored)).toBeUndefined();
  });
});
