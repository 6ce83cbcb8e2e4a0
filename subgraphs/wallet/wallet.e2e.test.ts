import { spawn } from 'node:child_process';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection, type Subscription } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_CONTEXT_HEADER } from '../../platform/auth/tokens.js';
import type { Role, Viewer } from '../../platform/auth/viewer.js';
import { parseEvent } from '../../platform/bus/envelope.js';
import { createLogger } from '../../platform/logger.js';
import { errorCode, gql as rawGql, type GraphQLResponse } from '../../testing/graphql-client.js';
import { internalTokenFor, signInStaff } from '../../testing/viewers.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { startTronSimulator, type TronSimulator } from '../../devnet/tron/trongrid.simulator.js';
import type { WalletServices } from './context.js';
import { createMasterKeyring, mnemonicToSeed, openSecret } from './custody/index.js';
import { NETWORKS, type Network } from '../../chains/network.js';
import { withPrivateKey } from './custody/derivation.js';
import { CustodyVault } from './custody-root/custody-vault.js';
import { HdRoot, rootAad, sealedOf } from './custody-root/hd-root.entity.js';
import type { WalletCreatedPayload } from './wallet/wallet.events.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const K1 = randomBytes(32);
const K2 = randomBytes(32);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** Every log line of the whole stack, at trace level. */
const logLines: string[] = [];
/** Every GraphQL response body this file received. */
const responses: string[] = [];

let stack: TestStack;
/** The TronGrid simulator the wallet subgraph reads TRON balances from. */
let tron: TronSimulator;
let nc: NatsConnection;
let created: Subscription;
const createdEvents: WalletCreatedPayload[] = [];

async function gql(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string | null,
  headers: Record<string, string> = {},
  url = stack.graphqlUrl,
): Promise<GraphQLResponse<Record<string, any>>> {
  const res = await rawGql(url, query, variables, token, headers);
  responses.push(JSON.stringify(res.body));
  expect(res.status).toBeLessThan(500);
  return res;
}

function data(res: GraphQLResponse<Record<string, any>>): Record<string, any> {
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

async function signIn(): Promise<{ token: string; userId: string }> {
  const res = await gql(`mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`, {
    d: initDataFor(newTelegramUser()),
  });
  const payload = data(res).signInWithTelegram;
  return { token: payload.accessToken, userId: payload.user.id };
}

async function staff(roles: Role[]): Promise<{ token: string; userId: string }> {
  return signInStaff(stack, roles);
}

/** Straight to the wallet subgraph, as the gateway would call it for this viewer. */
async function direct(viewer: Viewer, query: string, variables: Record<string, unknown>) {
  const token = await internalTokenFor(stack, 'wallet', viewer);
  return gql(query, variables, null, { [INTERNAL_CONTEXT_HEADER]: token }, stack.subgraphs.get('wallet')!.url);
}

function services(): WalletServices {
  return stack.subgraphs.get('wallet')!.app.context!().wallet as WalletServices;
}

function walletEm() {
  return stack.subgraphs.get('wallet')!.deps.orm.em.fork();
}

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return walletEm().getConnection().execute<T[]>(text, params);
}

const DEPOSIT_ALL = `{ me { ton: depositAddress(network: TON) { ...W } tron: depositAddress(network: TRON) { ...W } eth: depositAddress(network: ETH) { ...W } bsc: depositAddress(network: BSC) { ...W } } }
  fragment W on Wallet { id network address isDefault label createdAt }`;
const ALIAS = { TON: 'ton', TRON: 'tron', ETH: 'eth', BSC: 'bsc' } as const;

function derive(
  network: Network,
  index: number,
): Promise<{ network: string; index: number; path: string; address: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      TSX,
      [fileURLToPath(new URL('./commands/derive.ts', import.meta.url)), '--network', network, '--index', String(index)],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', WALLET_MNEMONIC: ABOUT },
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`wallet:derive exited ${code}`)),
    );
  });
}

beforeAll(async () => {
  const destination = new Writable({
    write: (chunk, _enc, done) => {
      logLines.push(String(chunk));
      done();
    },
  });
  const log = createLogger({ name: 'wallet-e2e', level: 'trace', destination });
  tron = await startTronSimulator({ blockIntervalMs: null });
  stack = await startStack(
    {
      LOG_LEVEL: 'trace',
      WALLET_MASTER_KEYS: `k1:${K1.toString('base64')}`,
      RATE_LIMIT_VIEWER_PER_MINUTE: '5000',
      CHAIN_TRON_API_URL: tron.url,
      // nothing listens on the discard port: ETH reads fail fast
      CHAIN_ETH_RPC_URL: 'http://127.0.0.1:9',
    },
    { log },
  );
  nc = await connect({ servers: stack.config.nats.url });
  created = nc.subscribe(`${stack.config.nats.subjectPrefix}wallet.wallet.created`);
  void (async () => {
    for await (const msg of created)
      createdEvents.push(parseEvent(msg.data).payload as unknown as WalletCreatedPayload);
  })();
});

afterAll(async () => {
  created?.unsubscribe();
  await nc?.close();
  await stack?.close();
  await tron?.close();
});

describe('User.depositAddress and User.wallets', () => {
  it('creates one default wallet per network on first ask, returns the same one afterwards, lists them', async () => {
    const { token, userId } = await signIn();
    const first = data(await gql(DEPOSIT_ALL, {}, token)).me;
    for (const network of NETWORKS) {
      expect(first[ALIAS[network]]).toMatchObject({ network, isDefault: true, label: null });
      expect(first[ALIAS[network]].id).toMatch(/^wal_[0-9a-z]{26}$/);
    }
    expect(first.eth.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(first.bsc.address).toBe(first.eth.address);
    expect(first.tron.address).toMatch(/^T[1-9A-HJ-NP-Za-km-z]{33}$/);
    expect(first.ton.address).toMatch(/^UQ[A-Za-z0-9_-]{46}$/);
    const again = data(await gql(DEPOSIT_ALL, {}, token)).me;
    expect(again).toEqual(first);
    const listed = data(await gql(`{ me { id wallets { id network address isDefault } } }`, {}, token)).me;
    expect(listed.id).toBe(userId);
    expect(listed.wallets.map((w: { id: string }) => w.id).sort()).toEqual(
      NETWORKS.map((n) => first[ALIAS[n]].id).sort(),
    );
    const [account] = await sql<{ custody_index: number }>(
      `select "custody_index" from "wallet"."custody_account" where "user_id" = ?`,
      [userId],
    );
    expect(account!.custody_index).toBeGreaterThanOrEqual(1);
    const indices = await sql<{ custody_index: number }>(
      `select distinct "custody_index" from "wallet"."wallet" where "user_id" = ?`,
      [userId],
    );
    expect(indices).toEqual([{ custody_index: account!.custody_index }]);
  });

  it('100 parallel first asks for one user create exactly one wallet per network and one custody index', async () => {
    const { token, userId } = await signIn();
    const results = await Promise.all(Array.from({ length: 100 }, () => gql(DEPOSIT_ALL, {}, token)));
    const ids = new Map<Network, Set<string>>(NETWORKS.map((n) => [n, new Set()]));
    for (const res of results) for (const network of NETWORKS) ids.get(network)!.add(data(res).me[ALIAS[network]].id);
    for (const network of NETWORKS) expect(ids.get(network)!.size, network).toBe(1);
    const rows = await sql<{ network: string; n: string }>(
      `select "network", count(*) as n from "wallet"."wallet" where "user_id" = ? group by "network" order by "network"`,
      [userId],
    );
    expect(rows.map((r) => [r.network, Number(r.n)])).toEqual([...NETWORKS].sort().map((n) => [n, 1]));
    expect(await sql(`select 1 from "wallet"."custody_account" where "user_id" = ?`, [userId])).toHaveLength(1);
    const events = await sql(
      `select 1 from "wallet"."outbox" where "subject" = 'wallet.wallet.created' and "envelope"->'payload'->>'userId' = ?`,
      [userId],
    );
    expect(events).toHaveLength(4);
  });

  it('publishes wallet.wallet.created through the outbox and JetStream', async () => {
    const { token, userId } = await signIn();
    const wallet = data(await gql(`{ me { depositAddress(network: TRON) { id address } } }`, {}, token)).me
      .depositAddress;
    const deadline = Date.now() + 5000;
    while (!createdEvents.some((e) => e.walletId === wallet.id) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(createdEvents.find((e) => e.walletId === wallet.id)).toEqual({
      walletId: wallet.id,
      userId,
      network: 'TRON',
      address: wallet.address,
      isDefault: true,
    });
  });

  it('addresses equal wallet:derive for the same phrase and index (root imported for recovery)', async () => {
    const vault = services().vault;
    const active = await vault.activeRoot(walletEm());
    const imported = await vault.importRoot(walletEm(), ABOUT, { replace: true, confirm: active.id });
    expect(imported.outcome).toBe('REPLACED');
    const { token, userId } = await signIn();
    const admin = await staff(['ADMIN']);
    const mine = data(await gql(DEPOSIT_ALL, {}, token)).me;
    const viaAdmin = data(
      await gql(
        `query($id: ID!) { user(id: $id) { wallets { id network address derivationPath } } }`,
        { id: userId },
        admin.token,
      ),
    ).user.wallets as {
      id: string;
      network: Network;
      address: string;
      derivationPath: string;
    }[];
    const [{ custody_index: index }] = (await sql<{ custody_index: number }>(
      `select "custody_index" from "wallet"."custody_account" where "user_id" = ?`,
      [userId],
    )) as [{ custody_index: number }];
    const derived = await Promise.all(NETWORKS.map((n) => derive(n, index)));
    for (const [i, network] of NETWORKS.entries()) {
      expect(mine[ALIAS[network]].address).toBe(derived[i]!.address);
      expect(viaAdmin.find((w) => w.network === network)).toEqual({
        id: mine[ALIAS[network]].id,
        network,
        address: derived[i]!.address,
        derivationPath: derived[i]!.path,
      });
    }
  });
});

describe('createWallet and setDefaultWallet', () => {
  it('a further wallet on a network gets its own index and address; the default moves only on request', async () => {
    const { token, userId } = await signIn();
    const primary = data(await gql(`{ me { depositAddress(network: ETH) { id address } } }`, {}, token)).me
      .depositAddress;
    const second = data(
      await gql(
        `mutation { createWallet(network: ETH, label: "  Savings ") { id network address isDefault label } }`,
        {},
        token,
      ),
    ).createWallet;
    expect(second).toMatchObject({ network: 'ETH', isDefault: false, label: 'Savings' });
    expect(second.address).not.toBe(primary.address);
    const indices = await sql<{ id: string; custody_index: number; is_primary: boolean }>(
      `select "id", "custody_index", "is_primary" from "wallet"."wallet" where "user_id" = ? order by "created_at"`,
      [userId],
    );
    expect(indices[0]).toMatchObject({ id: primary.id, is_primary: true });
    expect(indices[1]).toMatchObject({ id: second.id, is_primary: false });
    expect(indices[1]!.custody_index).not.toBe(indices[0]!.custody_index);
    expect(data(await gql(`{ me { depositAddress(network: ETH) { id } } }`, {}, token)).me.depositAddress.id).toBe(
      primary.id,
    );

    for (let i = 0; i < 2; i++) {
      const set = data(
        await gql(`mutation($id: ID!) { setDefaultWallet(id: $id) { id isDefault } }`, { id: second.id }, token),
      ).setDefaultWallet;
      expect(set).toEqual({ id: second.id, isDefault: true });
    }
    const wallets = data(
      await gql(`{ me { wallets { id isDefault } depositAddress(network: ETH) { id } } }`, {}, token),
    ).me;
    expect(wallets.depositAddress.id).toBe(second.id);
    expect(wallets.wallets).toEqual([
      { id: primary.id, isDefault: false },
      { id: second.id, isDefault: true },
    ]);

    // the first wallet on a network created by createWallet is the primary and the default
    const ton = data(
      await gql(`mutation { createWallet(network: TON) { id isDefault label } }`, {}, token),
    ).createWallet;
    expect(ton).toMatchObject({ isDefault: true, label: null });
    expect(data(await gql(`{ me { depositAddress(network: TON) { id } } }`, {}, token)).me.depositAddress.id).toBe(
      ton.id,
    );
  });

  it('refuses more than the per-network limit with BAD_USER_INPUT', async () => {
    const { token } = await signIn();
    for (let i = 0; i < stack.config.wallet.maxWalletsPerNetwork; i++)
      data(await gql(`mutation { createWallet(network: BSC) { id } }`, {}, token));
    const over = await gql(`mutation { createWallet(network: BSC) { id } }`, {}, token);
    expect(errorCode(over)).toBe('BAD_USER_INPUT');
    expect(over.body.errors![0]!.extensions).toMatchObject({
      field: 'network',
      limit: stack.config.wallet.maxWalletsPerNetwork,
    });
  });
});

describe('bad input and other users: a clear code, never a 500', () => {
  it('an unknown network is BAD_USER_INPUT (variable) or a validation error (literal)', async () => {
    const { token } = await signIn();
    const variable = await gql(
      `query($n: Network!) { me { depositAddress(network: $n) { id } } }`,
      { n: 'DOGE' },
      token,
    );
    expect(errorCode(variable)).toBe('BAD_USER_INPUT');
    const literal = await gql(`{ me { depositAddress(network: DOGE) { id } } }`, {}, token);
    expect(errorCode(literal)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(
      errorCode(await gql(`mutation($n: Network!) { createWallet(network: $n) { id } }`, { n: 'eth' }, token)),
    ).toBe('BAD_USER_INPUT');
    expect(
      errorCode(
        await gql(`query($n: Network!) { validateAddress(network: $n, address: "x") { valid } }`, { n: 'BTC' }, token),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('validateAddress explains malformed and wrong-checksum addresses and normalizes good ones', async () => {
    const { token } = await signIn();
    const check = async (network: Network, address: string) =>
      data(
        await gql(
          `query($n: Network!, $a: String!) { validateAddress(network: $n, address: $a) { valid normalized reason } }`,
          { n: network, a: address },
          token,
        ),
      ).validateAddress;
    expect(await check('ETH', '0x9858effd232b4033e47d90003d41ec34ecaeda94')).toEqual({
      valid: true,
      normalized: '0x9858EfFD232B4033E47d90003D41EC34EcaEda94',
      reason: null,
    });
    expect(await check('ETH', '0x9858EfFD232B4033E47d90003D41EC34EcaEda9A')).toEqual({
      valid: false,
      normalized: null,
      reason: 'EIP-55 checksum mismatch',
    });
    expect(await check('BSC', '0x1234')).toMatchObject({
      valid: false,
      reason: 'expected 0x followed by 40 hexadecimal characters',
    });
    expect(await check('TRON', 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH')).toMatchObject({
      valid: true,
      normalized: 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH',
    });
    expect(await check('TRON', 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdh')).toMatchObject({
      valid: false,
      reason: 'base58check checksum mismatch',
    });
    expect(await check('TON', 'UQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-RKY')).toMatchObject({ valid: true });
    expect(await check('TON', 'UQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-RKZ')).toMatchObject({
      valid: false,
      reason: 'CRC16 checksum mismatch',
    });
    expect(await check('TON', 'EQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-U9d')).toMatchObject({
      valid: true,
      normalized: 'UQAzWZa6nM5mJev91wGc7VCSfBoIsYRqKJpV78N8Add9-RKY',
    });
    const long = await gql(
      `query($a: String!) { validateAddress(network: ETH, address: $a) { valid } }`,
      { a: 'x'.repeat(300) },
      token,
    );
    expect(errorCode(long)).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(`{ validateAddress(network: ETH, address: "0x0") { valid } }`))).toBe('UNAUTHENTICATED');
  });

  it('walletByAddress (staff): malformed or wrong-checksum → BAD_USER_INPUT, unknown → null, ours in any accepted form → the wallet', async () => {
    const { token } = await signIn();
    const mine = data(await gql(`{ me { depositAddress(network: ETH) { id address } } }`, {}, token)).me.depositAddress;
    const support = await staff(['SUPPORT']);
    const q = `query($n: Network!, $a: String!) { walletByAddress(network: $n, address: $a) { id network address } }`;
    expect(data(await gql(q, { n: 'ETH', a: mine.address.toLowerCase() }, support.token)).walletByAddress).toEqual({
      id: mine.id,
      network: 'ETH',
      address: mine.address,
    });
    expect(data(await gql(q, { n: 'BSC', a: mine.address }, support.token)).walletByAddress).toBeNull();
    expect(
      data(await gql(q, { n: 'ETH', a: '0x000000000000000000000000000000000000dEaD' }, support.token)).walletByAddress,
    ).toBeNull();
    // one hex letter in the other case: still mixed case, so the EIP-55 checksum no longer matches
    const at = mine.address.slice(2).search(/[a-fA-F]/) + 2;
    const c = mine.address[at]!;
    const badChecksum =
      mine.address.slice(0, at) +
      (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) +
      mine.address.slice(at + 1);
    for (const a of ['not-an-address', badChecksum, 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdh']) {
      const res = await gql(q, { n: a.startsWith('T') ? 'TRON' : 'ETH', a }, support.token);
      expect(errorCode(res), a).toBe('BAD_USER_INPUT');
      expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'address' });
    }
    expect(errorCode(await gql(q, { n: 'ETH', a: mine.address }, token))).toBe('FORBIDDEN');
  });

  it('labels: overlong or with control characters → BAD_USER_INPUT', async () => {
    const { token } = await signIn();
    for (const label of ['x'.repeat(65), 'tab\there', 'rtl\u202Eoverride']) {
      const res = await gql(
        `mutation($l: String) { createWallet(network: TRON, label: $l) { id } }`,
        { l: label },
        token,
      );
      expect(errorCode(res), label).toBe('BAD_USER_INPUT');
    }
    expect(
      data(
        await gql(
          `mutation($l: String) { createWallet(network: TRON, label: $l) { label } }`,
          { l: '💰'.repeat(64) },
          token,
        ),
      ).createWallet.label,
    ).toBe('💰'.repeat(64));
  });

  it("setDefaultWallet: malformed id → BAD_USER_INPUT, unknown → NOT_FOUND, another user's → FORBIDDEN, and nothing changes", async () => {
    const alice = await signIn();
    const bob = await signIn();
    const bobs = data(await gql(`{ me { depositAddress(network: TON) { id } } }`, {}, bob.token)).me.depositAddress;
    const set = `mutation($id: ID!) { setDefaultWallet(id: $id) { id } }`;
    expect(errorCode(await gql(set, { id: 'usr_00000000000000000000000000' }, alice.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(set, { id: "wal_' or 1=1 --" }, alice.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(set, { id: 'wal_00000000000000000000000000' }, alice.token))).toBe('NOT_FOUND');
    const stolen = await gql(set, { id: bobs.id }, alice.token);
    expect(errorCode(stolen)).toBe('FORBIDDEN');
    expect(stolen.body.data ?? null).toBeNull();
    expect(errorCode(await gql(set, { id: bobs.id }))).toBe('UNAUTHENTICATED');
  });

  it("another user's User fields and Wallet references are refused by the wallet subgraph itself", async () => {
    const alice = await signIn();
    const bob = await signIn();
    const bobs = data(await gql(`{ me { depositAddress(network: ETH) { id } } }`, {}, bob.token)).me.depositAddress;
    const asAlice: Viewer = { userId: alice.userId, roles: ['USER'], claims: [], sessionId: null };
    const users = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id wallets { id } } } }`;
    expect(errorCode(await direct(asAlice, users, { r: [{ __typename: 'User', id: bob.userId }] }))).toBe('FORBIDDEN');
    const deposit = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { depositAddress(network: TON) { id } } } }`;
    expect(errorCode(await direct(asAlice, deposit, { r: [{ __typename: 'User', id: bob.userId }] }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await sql(`select 1 from "wallet"."wallet" where "user_id" = ? and "network" = 'TON'`, [bob.userId]),
    ).toHaveLength(0);
    const wallets = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Wallet { id address } } }`;
    const refs = await direct(asAlice, wallets, {
      r: [
        { __typename: 'Wallet', id: bobs.id },
        { __typename: 'Wallet', id: 'wal_00000000000000000000000000' },
      ],
    });
    expect(refs.body.data!._entities).toEqual([null, null]);
    const asSupport: Viewer = {
      userId: 'usr_00000000000000000000000001',
      roles: ['USER', 'SUPPORT'],
      claims: [],
      sessionId: null,
    };
    expect(
      (await direct(asSupport, wallets, { r: [{ __typename: 'Wallet', id: bobs.id }] })).body.data!._entities,
    ).toEqual([{ id: bobs.id, address: expect.any(String) }]);
    expect(
      errorCode(
        await direct(
          asSupport,
          `query($id: ID!) { _entities(representations: [{ __typename: "Wallet", id: $id }]) { ... on Wallet { derivationPath } } }`,
          { id: bobs.id },
        ),
      ),
    ).toBe('FORBIDDEN');
  });

  it('derivationPath is for admins: a USER and SUPPORT get FORBIDDEN from the gateway; staff can list a user’s wallets', async () => {
    const { token, userId } = await signIn();
    data(await gql(`{ me { depositAddress(network: TRON) { id } } }`, {}, token));
    const own = await gql(`{ me { wallets { id derivationPath } } }`, {}, token);
    expect(errorCode(own)).toBe('FORBIDDEN');
    expect(own.body.data ?? null).toBeNull();
    const support = await staff(['SUPPORT']);
    const listed = data(
      await gql(`query($id: ID!) { user(id: $id) { wallets { network } } }`, { id: userId }, support.token),
    ).user.wallets;
    expect(listed).toEqual([{ network: 'TRON' }]);
    expect(
      errorCode(
        await gql(`query($id: ID!) { user(id: $id) { wallets { derivationPath } } }`, { id: userId }, support.token),
      ),
    ).toBe('FORBIDDEN');
    const admin = await staff(['ADMIN']);
    const paths = data(
      await gql(`query($id: ID!) { user(id: $id) { wallets { derivationPath } } }`, { id: userId }, admin.token),
    ).user.wallets;
    expect(paths).toEqual([{ derivationPath: expect.stringMatching(/^m\/44'\/195'\/0'\/0\/\d+$/) }]);
  });
});

describe('Wallet.onChainBalance', () => {
  const Q = `query($id: ID!, $asset: String) { user(id: $id) { wallets { address onChainBalance(asset: $asset) { asset amount fetchedAt cached } } } }`;

  it('FINANCE reads what the chain holds (TronGrid simulator), cached for a few seconds; users and SUPPORT are refused', async () => {
    const { token, userId } = await signIn();
    const wallet = data(await gql(`{ me { depositAddress(network: TRON) { address } } }`, {}, token)).me.depositAddress;
    tron.send({ to: wallet.address, amount: 12_500_000n });
    tron.send({ to: wallet.address, amount: 3_000_000n, token: 'USDT' });
    const finance = await staff(['FINANCE']);
    const [first] = data(await gql(Q, { id: userId }, finance.token)).user.wallets;
    expect(first.onChainBalance).toEqual([
      { asset: 'TRX', amount: '12.5', fetchedAt: expect.any(String), cached: false },
      { asset: 'USDT_TRON', amount: '3', fetchedAt: expect.any(String), cached: false },
    ]);
    const [again] = data(await gql(Q, { id: userId }, finance.token)).user.wallets;
    expect(again.onChainBalance.map((b: { cached: boolean }) => b.cached)).toEqual([true, true]);
    expect(again.onChainBalance.map((b: { fetchedAt: string }) => b.fetchedAt)).toEqual(
      first.onChainBalance.map((b: { fetchedAt: string }) => b.fetchedAt),
    );
    expect(
      data(await gql(Q, { id: userId, asset: 'USDT_TRON' }, finance.token)).user.wallets[0].onChainBalance,
    ).toHaveLength(1);

    const wrongAsset = await gql(Q, { id: userId, asset: 'USDT_ETH' }, finance.token);
    expect(errorCode(wrongAsset)).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(`{ me { wallets { onChainBalance { amount } } } }`, {}, token))).toBe('FORBIDDEN');
    const support = await staff(['SUPPORT']);
    expect(errorCode(await gql(Q, { id: userId }, support.token))).toBe('FORBIDDEN');
  });

  it('a chain that cannot be reached → SERVICE_UNAVAILABLE, not a 500', async () => {
    const { token, userId } = await signIn();
    data(await gql(`{ me { depositAddress(network: ETH) { id } } }`, {}, token));
    const admin = await staff(['ADMIN']);
    const res = await gql(Q, { id: userId, asset: 'ETH' }, admin.token);
    expect(errorCode(res)).toBe('SERVICE_UNAVAILABLE');
    expect(res.body.errors![0]!.message).toMatch(/^Could not read the ETH chain \(PROVIDER_\w+\); try again shortly$/);
  });
});

describe('custody integrity at run time', () => {
  it('a tampered root is refused when a wallet is derived: masked error, no wallet row, no secret in the error', async () => {
    const active = await services().vault.activeRoot(walletEm());
    const original = active.ciphertext;
    const bytes = Buffer.from(original, 'base64');
    bytes[3] = bytes[3]! ^ 0x40;
    await sql(`update "wallet"."hd_root" set "ciphertext" = ? where "id" = ?`, [bytes.toString('base64'), active.id]);
    try {
      const { token, userId } = await signIn();
      const res = await gql(`{ me { depositAddress(network: ETH) { id } } }`, {}, token);
      expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
      expect(res.body.errors![0]!.message).toBe('Internal server error');
      expect(await sql(`select 1 from "wallet"."wallet" where "user_id" = ?`, [userId])).toHaveLength(0);
      expect(logLines.some((l) => l.includes('ciphertext or associated data failed authentication'))).toBe(true);
    } finally {
      await sql(`update "wallet"."hd_root" set "ciphertext" = ? where "id" = ?`, [original, active.id]);
    }
  });

  it('key rotation while serving: k1 → k2 → k1, wallets keep deriving the same addresses', async () => {
    const { token } = await signIn();
    const before = data(await gql(`{ me { depositAddress(network: TON) { address } } }`, {}, token)).me.depositAddress
      .address;
    const both = new CustodyVault(
      createMasterKeyring(
        [
          { id: 'k1', key: K1 },
          { id: 'k2', key: K2 },
        ],
        'k2',
      ),
      stack.subgraphs.get('wallet')!.deps.log,
    );
    expect((await both.rotate(walletEm(), 'k2')).every((s) => s.outcome === 'REWRAPPED')).toBe(true);
    expect((await both.rotate(walletEm(), 'k1')).every((s) => s.outcome === 'REWRAPPED')).toBe(true);
    const [root] = await walletEm().find(HdRoot, { status: 'ACTIVE' });
    const other = await signIn();
    expect(
      data(await gql(`{ me { depositAddress(network: TON) { address } } }`, {}, token)).me.depositAddress.address,
    ).toBe(before);
    expect(
      data(await gql(`{ me { depositAddress(network: TON) { address } } }`, {}, other.token)).me.depositAddress.address,
    ).toMatch(/^UQ/);
    expect(root!.masterKeyId).toBe('k1');
  });
});

/** The secrets this run handled, in every encoding a leak could take. */
async function secretNeedles(): Promise<string[]> {
  const ring = createMasterKeyring([{ id: 'k1', key: K1 }]);
  const roots = await walletEm().find(HdRoot, {});
  const needles = new Set<string>();
  const addBytes = (bytes: Uint8Array) => {
    const b = Buffer.from(bytes);
    for (const text of [b.toString('hex'), b.toString('base64').replace(/=+$/, ''), b.toString('base64url')])
      needles.add(text);
  };
  const addPhrase = (phrase: string) => {
    needles.add(phrase);
    const words = phrase.split(' ');
    for (let i = 0; i + 3 <= words.length; i++) needles.add(words.slice(i, i + 3).join(' '));
  };
  addBytes(K1);
  addBytes(K2);
  for (const root of roots) {
    const phrase = Buffer.from(openSecret(sealedOf(root), ring, rootAad(root.id))).toString('utf8');
    addPhrase(phrase);
    const seed = await mnemonicToSeed(phrase);
    addBytes(seed);
    // the data key, unwrapped the way the envelope wraps it
    const decipher = createDecipheriv('aes-256-gcm', K1, Buffer.from(root.wrapIv, 'base64'));
    decipher.setAAD(Buffer.from(`custody-envelope/wrap/v1\0${root.masterKeyId}`));
    decipher.setAuthTag(Buffer.from(root.wrapTag, 'base64'));
    addBytes(Buffer.concat([decipher.update(Buffer.from(root.wrappedDataKey, 'base64')), decipher.final()]));
    const wallets = await sql<{ network: Network; custody_index: number }>(
      `select "network", "custody_index" from "wallet"."wallet" where "root_id" = ?`,
      [root.id],
    );
    for (const w of wallets)
      await withPrivateKey(seed, w.network, w.custody_index, ({ privateKey }) => addBytes(privateKey));
  }
  expect(roots.length).toBeGreaterThanOrEqual(2);
  expect(needles.size).toBeGreaterThan(100);
  return [...needles];
}

describe('no phrase, seed, private key, data key or master key anywhere', () => {
  it('in any table of any schema, any column (the phrase ciphertext only as ciphertext)', async () => {
    const needles = await secretNeedles();
    const tables = await sql<{ table_schema: string; table_name: string }>(
      `select "table_schema", "table_name" from information_schema.tables where "table_type" = 'BASE TABLE' and "table_schema" not in ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((t) => `${t.table_schema}.${t.table_name}`)).toEqual(
      expect.arrayContaining(['wallet.hd_root', 'wallet.wallet', 'wallet.custody_account', 'wallet.outbox']),
    );
    let cells = 0;
    for (const t of tables) {
      const rows = await sql<{ row: string }>(
        `select row_to_json(t)::text as "row" from "${t.table_schema}"."${t.table_name}" t`,
      );
      for (const { row } of rows) {
        cells++;
        const lower = row.toLowerCase();
        for (const needle of needles)
          expect(lower.includes(needle.toLowerCase()), `${t.table_schema}.${t.table_name} holds a secret`).toBe(false);
      }
    }
    expect(cells).toBeGreaterThan(50);
  });

  it('in any log line of the whole stack at trace level, or any GraphQL response (errors included)', async () => {
    const needles = await secretNeedles();
    expect(logLines.length).toBeGreaterThan(20);
    expect(responses.length).toBeGreaterThan(100);
    const logs = logLines.join('').toLowerCase();
    const bodies = responses.join('\n').toLowerCase();
    for (const needle of needles) {
      expect(logs.includes(needle.toLowerCase()), 'a log line holds a secret').toBe(false);
      expect(bodies.includes(needle.toLowerCase()), 'a response holds a secret').toBe(false);
    }
  });
});
