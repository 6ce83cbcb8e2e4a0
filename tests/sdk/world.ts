import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { connect as connectNats } from 'nats';
import WebSocket from 'ws';
import type { CursorState, ScannedBlock } from '../../chains/source.js';
import { startFinnotechSimulator, type FinnotechSimulator } from '../../devnet/finnotech/finnotech.simulator.js';
import { startPaystarSimulator, type PaystarSimulator } from '../../devnet/paystar/paystar.simulator.js';
import { startPriceSimulators, type PriceSimulators } from '../../devnet/prices/price-simulators.js';
import { startSmsSimulator, type SmsSimulator } from '../../devnet/sms/sms.simulator.js';
import {
  startPerfectMoneySimulator,
  type PerfectMoneySimulator,
} from '../../devnet/vouchers/perfect-money.simulator.js';
import { startUtopiaSimulator, type UtopiaSimulator } from '../../devnet/vouchers/utopia.simulator.js';
import { startUwalletSimulator, type UwalletSimulator } from '../../devnet/vouchers/uwallet.simulator.js';
import { makeEvent } from '../../platform/bus/envelope.js';
import { createPriceSources } from '../../providers/prices.config.js';
import type { LedgerServices } from '../../subgraphs/ledger/context.js';
import { accounts } from '../../subgraphs/ledger/core/accounts.js';
import { draft } from '../../subgraphs/ledger/core/ledger.types.js';
import { buildMarketServices } from '../../subgraphs/market/app.js';
import type { MarketServices } from '../../subgraphs/market/context.js';
import { DepositIngest } from '../../subgraphs/wallet/deposit/deposit.ingest.js';
import { gql, type GraphQLResponse } from '../../testing/graphql-client.js';
import { createTestObjectStore, type TestObjectStore } from '../../testing/s3.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser, type TestTelegramUser } from '../../testing/telegram.js';
import { until } from '../../testing/until.js';
import { signInStaff } from '../../testing/viewers.js';
import { assetInfo } from '../../platform/money/assets.js';

/** Someone signed in through the gateway. */
export interface Person {
  token: string;
  refreshToken: string;
  userId: string;
  username: string;
  telegram: TestTelegramUser;
  /** Staff only: the e-mail they sign in with (password: SdkWorld.staffPassword). */
  email?: string;
}

let numbers = 0;
/** A fresh Iranian mobile number as typed (`09…`) and in E.164, unique to this process. */
export function newPhoneNumber(): { typed: string; e164: string } {
  const tail = `${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`;
  return { typed: `0913${tail}`, e164: `+98913${tail}` };
}

/** A valid national id (its check digit computed), different for each `n`. */
export function nationalIdFor(n: number): string {
  const nine = String(100_000_000 + ((process.pid * 7919 + n * 104_729) % 899_999_999)).slice(0, 9);
  const sum = [...nine].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0) % 11;
  return nine + String(sum < 2 ? sum : 11 - sum);
}

/** The bytes of a JPEG as the upload check sniffs it. */
export const SAMPLE_JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, ...new Array(3000).fill(9)]);

/**
 * The world every SDK document runs in: the whole stack in-process with the simulators its providers need, prices
 * published, and helpers to make people, money, deposits and KYC names. Cases build what they need from it.
 */
export interface SdkWorld {
  stack: TestStack;
  sims: { prices: PriceSimulators; sms: SmsSimulator; uwallet: UwalletSimulator; bank: FinnotechSimulator };
  s3: TestObjectStore;
  /** Staff with every role and claim (SUPERADMIN), signed in with signInAdmin. */
  superadmin: Person;
  /** The password every staff account of the world has. */
  staffPassword: string;
  /** A fresh Telegram user, signed in, known to the ledger, funded with `funds` (asset → decimal amount). */
  newUser(funds?: Record<string, string>): Promise<Person>;
  /** Credits a user's available balance (a test adjustment from world:<asset>), decimal amount. */
  fund(person: Person, asset: string, amount: string): Promise<void>;
  /** A staff account with these roles (and claims), signed in. */
  newStaff(
    roles: ('SUPPORT' | 'FINANCE' | 'COMPLIANCE' | 'ADMIN' | 'SUPERADMIN')[],
    claims?: string[],
  ): Promise<Person>;
  /** An ETH transfer to `address` seen by the wallet's chain watcher (DETECTED, then confirmed and credited). */
  depositEth(address: string, wei: bigint): Promise<{ txHash: string }>;
  /** A round of the price feed: prices cached for the market and published (priceUpdated, the ledger's copy). */
  refreshPrices(): Promise<void>;
  /** kyc.submission.approved for this person and name, as kyc's relay publishes it; waits for payment to learn it. */
  approveKycName(person: Person, firstName: string, lastName: string): Promise<void>;
  /** One operation over HTTP as `viewer` (null: anonymous). */
  run<R, V>(document: TypedDocumentNode<R, V>, variables: V, viewer: Person | null): Promise<GraphQLResponse<R>>;
  /** Subscribes over graphql-ws as `viewer`, runs `cause` once subscribed, and returns the first event. */
  firstEvent<R, V>(
    document: TypedDocumentNode<R, V>,
    variables: V,
    viewer: Person | null,
    cause: () => Promise<void>,
  ): Promise<{ data?: R | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }>;
  close(): Promise<void>;
}

const STAFF_PASSWORD = 'correct horse battery staple';
const hash = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`;

export async function startSdkWorld(): Promise<SdkWorld> {
  const prices = await startPriceSimulators({ seed: 18 });
  const sms = await startSmsSimulator();
  const uwallet = await startUwalletSimulator({ balances: { HotVoucher: '100000000000', PSVoucher: '100000' } });
  const utopia: UtopiaSimulator = await startUtopiaSimulator({ balances: { UUSD: '100000' } });
  const pm: PerfectMoneySimulator = await startPerfectMoneySimulator();
  const bank = await startFinnotechSimulator({ seedLines: 0, pageSize: 40 });
  const paystar: PaystarSimulator = await startPaystarSimulator();
  const s3 = await createTestObjectStore('sdk');
  const stack = await startStack({
    ...s3.env,
    COINGECKO_BASE_URL: prices.config.coingecko!.baseUrl,
    COINMARKETCAP_BASE_URL: prices.config.coinmarketcap!.baseUrl,
    NOBITEX_BASE_URL: prices.config.nobitex!.baseUrl,
    KAVENEGAR_BASE_URL: sms.url,
    UWALLET_BASE_URL: uwallet.url,
    UTOPIA_API_URL: utopia.url,
    PERFECT_MONEY_BASE_URL: pm.url,
    PAYSTAR_BASE_URL: paystar.apiBaseUrl,
    FINNOTECH_BASE_URL: bank.url,
    FINNOTECH_SOURCE_DEPOSIT: bank.deposit,
    VOUCHER_HOLD_WAIT_MS: '15000',
    PAYMENT_HOLD_WAIT_MS: '10000',
    WITHDRAWAL_HOLD_WAIT_MS: '10000',
    LEDGER_ORDER_QUOTE_TTL_SECONDS: '120',
    LEDGER_ORDER_PRICE_MAX_AGE_SECONDS: '600',
    RATE_LIMIT_IP_PER_MINUTE: '100000',
    RATE_LIMIT_VIEWER_PER_MINUTE: '100000',
  });
  const market: MarketServices = buildMarketServices(stack.subgraphs.get('market')!.deps, {
    sources: createPriceSources(prices.config, { resilience: { retries: 0, breaker: false, timeoutMs: 2_000 } }).all,
  });
  const ledger = (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;
  const ledgerEm = () => stack.subgraphs.get('ledger')!.deps.orm.em.fork();
  const sql = <T>(subgraph: string, text: string, params: unknown[] = []) =>
    stack.subgraphs.get(subgraph)!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);
  const clients: Client[] = [];

  const run: SdkWorld['run'] = (document, variables, viewer) =>
    gql(stack.graphqlUrl, print(document), (variables ?? {}) as Record<string, unknown>, viewer?.token ?? null);

  async function signInAdmin(email: string): Promise<Person> {
    const res = await gql(
      stack.graphqlUrl,
      `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken refreshToken user { id username } } }`,
      { e: email, p: STAFF_PASSWORD },
    );
    if (res.body.errors) throw new Error(`signInAdmin: ${JSON.stringify(res.body.errors)}`);
    const p = res.body.data!.signInAdmin;
    return {
      token: p.accessToken,
      refreshToken: p.refreshToken,
      userId: p.user.id,
      username: p.user.username ?? email,
      telegram: newTelegramUser(),
      email,
    };
  }

  let staffCount = 0;
  const newStaff: SdkWorld['newStaff'] = async (roles, claims = []) => {
    const email = `sdk-staff${++staffCount}-${process.pid}@example.com`;
    const { userId } = await signInStaff(stack, roles, email);
    if (claims.length)
      await sql('identity', `update identity."user" set claims = ? where id = ?`, [`{${claims.join(',')}}`, userId]);
    return signInAdmin(email);
  };

  const fund: SdkWorld['fund'] = async (person, asset, amount) => {
    const info = assetInfo(asset);
    if (!info) throw new Error(`unknown asset ${asset}`);
    const [whole = '0', fraction = ''] = amount.split('.');
    const minor = BigInt(whole + fraction.padEnd(info.decimals, '0'));
    const result = await ledger.ledger.commit(
      ledgerEm(),
      draft({
        kind: 'ADJUSTMENT',
        asset,
        amount: minor,
        userId: person.userId,
        actor: 'system:test',
        reason: 'sdk world funding',
        postings: [
          {
            source: accounts.world(asset),
            destination: accounts.available(person.userId, asset),
            asset,
            amount: minor,
          },
        ],
      }),
    );
    if (result.type !== 'Transaction') throw new Error(`funding ${person.userId} failed: ${result.type}`);
  };

  const newUser: SdkWorld['newUser'] = async (funds = {}) => {
    const telegram = newTelegramUser();
    const res = await gql(
      stack.graphqlUrl,
      `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken refreshToken user { id } } }`,
      { d: initDataFor(telegram) },
    );
    if (res.body.errors) throw new Error(`signInWithTelegram: ${JSON.stringify(res.body.errors)}`);
    const p = res.body.data!.signInWithTelegram;
    const person: Person = {
      token: p.accessToken,
      refreshToken: p.refreshToken,
      userId: p.user.id,
      username: telegram.username,
      telegram,
    };
    await until(
      'the ledger to know the user',
      () => sql('ledger', `select 1 from ledger.user_directory where user_id = ?`, [person.userId]),
      (rows) => rows.length === 1,
    );
    for (const [asset, amount] of Object.entries(funds)) await fund(person, asset, amount);
    return person;
  };

  const ingest = new DepositIngest(
    { network: 'ETH', confirmations: 1, reorgWindow: stack.config.chains.reorgWindow },
    stack.log,
  );
  const walletEm = () => stack.subgraphs.get('wallet')!.deps.orm.em.fork();
  let cursor: CursorState = await ingest.initCursor(walletEm(), { height: 1000n, hash: hash(1000n) }, hash(999n));
  let txCount = 0n;
  const nextBlock = async (transfers: ScannedBlock['transfers']) => {
    const height = cursor.height + 1n;
    const block: ScannedBlock = {
      height,
      hash: hash(height),
      parentHash: hash(height - 1n),
      transactions: transfers.length,
      transfers,
    };
    const outcome = await ingest.ingest(walletEm(), cursor, [block]);
    if (!outcome.applied) throw new Error('the deposit ingest did not apply the block');
    cursor = { height, hash: block.hash };
  };
  const depositEth: SdkWorld['depositEth'] = async (address, wei) => {
    const txHash = hash(0xd0000n + ++txCount);
    await nextBlock([
      {
        asset: 'ETH',
        txHash,
        outputIndex: 0,
        from: '0x000000000000000000000000000000000000dEaD',
        to: address,
        amount: wei,
      },
    ]);
    await nextBlock([]); // one confirmation
    return { txHash };
  };

  const refreshPrices = async () => {
    await market.feed.refresh();
  };
  await refreshPrices();
  await until(
    'the ledger to hold prices',
    () => sql<{ n: string }>('ledger', `select count(*)::text as n from ledger.price`),
    (rows) => Number(rows[0]!.n) >= 4,
  );

  const approveKycName: SdkWorld['approveKycName'] = async (person, firstName, lastName) => {
    const nc = await connectNats({ servers: stack.config.nats.url });
    try {
      const event = makeEvent('kyc.submission.approved', 'kyc', {
        submissionId: `kyc_sdk_${person.userId}`,
        userId: person.userId,
        tier: 'BASIC',
        approvedTier: 'BASIC',
        holderName: { firstName, lastName },
      });
      await nc
        .jetstream()
        .publish(
          `${stack.config.nats.subjectPrefix}kyc.submission.approved`,
          new TextEncoder().encode(JSON.stringify(event)),
          { msgID: event.id },
        );
    } finally {
      await nc.close();
    }
    await until(
      'payment to learn the KYC name',
      () => sql('payment', `select 1 from payment.kyc_holder where user_id = ?`, [person.userId]),
      (rows) => rows.length === 1,
    );
  };

  const firstEvent: SdkWorld['firstEvent'] = async (document, variables, viewer, cause) => {
    const client = createClient({
      url: stack.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: viewer ? { authorization: `Bearer ${viewer.token}` } : {},
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    try {
      type Event = Awaited<ReturnType<SdkWorld['firstEvent']>>;
      let settle!: (e: Event) => void;
      const first = new Promise<Event>((resolve) => (settle = resolve));
      client.subscribe(
        { query: print(document), variables: (variables ?? {}) as Record<string, unknown> },
        {
          next: (value) => settle(value as Event),
          error: (err) => settle({ errors: [{ message: err instanceof Error ? err.message : JSON.stringify(err) }] }),
          complete: () => settle({ errors: [{ message: 'completed before any event' }] }),
        },
      );
      // graphql-ws has no "subscribed" acknowledgement: give the gateway time to hold the NATS subscription
      await new Promise((r) => setTimeout(r, 300));
      await cause();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Event>(
        (resolve) =>
          (timer = setTimeout(() => resolve({ errors: [{ message: 'no event within 20 s of the cause' }] }), 20_000)),
      );
      const event = await Promise.race([first, timeout]);
      clearTimeout(timer);
      return event as never; // the document's result type; graphql-ws hands it over untyped
    } finally {
      await client.dispose();
    }
  };

  const superadminAccount = await newStaff(['SUPERADMIN']);
  return {
    stack,
    sims: { prices, sms, uwallet, bank },
    s3,
    superadmin: superadminAccount,
    staffPassword: STAFF_PASSWORD,
    newUser,
    fund,
    newStaff,
    depositEth,
    refreshPrices,
    approveKycName,
    run,
    firstEvent,
    async close() {
      for (const c of clients) await c.dispose();
      await stack.close();
      await Promise.all([
        prices.close(),
        sms.close(),
        uwallet.close(),
        utopia.close(),
        pm.close(),
        bank.close(),
        paystar.close(),
      ]);
      s3.close();
    },
  };
}
