import { connect, type NatsConnection } from 'nats';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { createLogger } from '../logger.js';
import { makeEvent } from './envelope.js';
import { natsConnectionOptions } from './nats.js';
import { recordEvent } from './outbox.js';
import { outboxUser } from './permissions.js';
import { OutboxRelay } from './relay.js';
import { startOutboxRelayWorker } from '../../workers/outbox-relay/relay-worker.js';

/**
 * The bus refuses what a service's NATS user may not do (platform/bus/permissions.ts), on the authorized
 * nats-server the test run starts: a `wallet.deposit.confirmed` forged with any other service's credentials
 * never reaches the stream and credits nothing, while the wallet's own outbox → relay → ledger path credits.
 */
let stack: TestStack;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  for (const nc of connections) await nc.close().catch(() => undefined);
  await stack?.close();
});

/** A connection as `user` with its dev credentials, as the service itself would log in. */
async function connectAs(user: string): Promise<NatsConnection> {
  const nc = await connect(natsConnectionOptions(stack.config.nats, user));
  connections.push(nc);
  return nc;
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

async function signIn(): Promise<{ token: string; userId: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const payload = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  return { token: payload.accessToken, userId: payload.user.id };
}

async function usdtAvailable(token: string): Promise<string> {
  const res = await gql(stack.graphqlUrl, `{ me { balances(assets: ["USDT_TRON"]) { available } } }`, {}, token);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data!.me.balances as { available: string }[])[0]?.available ?? '0';
}

async function ledgerInboxHas(eventId: string): Promise<boolean> {
  const ledger = stack.subgraphs.get('ledger')!;
  const rows = await ledger.deps.orm.em
    .getConnection()
    .execute('select 1 from ledger.inbox where event_id = ?', [eventId]);
  return rows.length > 0;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('runs on a nats-server that refuses a service with the wrong password', async () => {
  await expect(
    connect({ servers: stack.config.nats.url, user: 'ledger', pass: 'not-the-password' }),
  ).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
});

it('the running services are logged in as themselves, not as the test harness', async () => {
  const subject = `${stack.config.nats.subjectPrefix}wallet.deposit.confirmed`;
  for (const name of ['ledger', 'market', 'identity', 'wallet']) {
    const { deps } = stack.subgraphs.get(name)!;
    const event = makeEvent('wallet.deposit.confirmed', 'wallet', {
      depositId: 'dep_own',
      userId: 'usr_x',
      network: 'TRON',
      asset: 'USDT_TRON',
      amount: '1',
      txHash: `0x${name}`,
      outputIndex: 0,
    });
    // The wallet subgraph itself publishes nothing: its events leave through the outbox relay's user.
    await expect(
      deps.js.publish(subject, encode(event), { msgID: event.id, timeout: 3000 }),
      name,
    ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  }
});

it('a relay given one NATS user’s credentials relays one schema only', async () => {
  const config = {
    ...stack.config,
    nats: { ...stack.config.nats, auth: { kind: 'password' as const, user: outboxUser('wallet'), password: 'x' } },
  };
  await expect(
    startOutboxRelayWorker(
      config,
      createLogger({ name: 'test', level: 'silent' }),
      ['identity', 'wallet', 'ledger'],
      0,
    ),
  ).rejects.toThrow(/one relay per schema/);
});

it('refuses a wallet.deposit.confirmed forged with another service’s credentials and credits only the wallet’s own', async () => {
  const alice = await signIn();
  const subject = `${stack.config.nats.subjectPrefix}wallet.deposit.confirmed`;
  const deposit = (txHash: string, amount: string) => ({
    depositId: `dep_${txHash}`,
    userId: alice.userId,
    network: 'TRON',
    asset: 'USDT_TRON',
    amount,
    txHash,
    outputIndex: 0,
  });

  const forged: string[] = [];
  for (const user of [
    'market',
    'gateway',
    'ledger',
    'identity',
    'price-feed',
    outboxUser('ledger'),
    outboxUser('identity'),
  ]) {
    const nc = await connectAs(user);
    const event = makeEvent('wallet.deposit.confirmed', 'wallet', deposit(`0xforged${forged.length}`, '1000000000'));
    forged.push(event.id);
    await expect(
      nc.jetstream().publish(subject, encode(event), { msgID: event.id, timeout: 3000 }),
      user,
    ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    // A plain core publish (no ack asked) is dropped by the server all the same.
    nc.publish(subject, encode(event));
    await nc.flush();
  }

  // The legitimate path: the wallet records the event in its outbox, the relay publishes it as outbox-wallet.
  const wallet = stack.subgraphs.get('wallet')!;
  const legit = await wallet.deps.orm.em
    .fork()
    .transactional(async (tx) => recordEvent(tx, 'wallet.deposit.confirmed', 'wallet', deposit('0xlegit', '25000000')));
  await waitFor('the legitimate deposit to be credited', async () => (await usdtAvailable(alice.token)) !== '0');
  expect(await usdtAvailable(alice.token)).toBe('25');
  expect(await ledgerInboxHas(legit.id)).toBe(true);
  for (const id of forged) expect(await ledgerInboxHas(id)).toBe(false);

  // Nothing forged reached the stream: it holds exactly the one deposit event on that subject.
  const harness = await connect({ servers: stack.config.nats.url });
  connections.push(harness);
  const info = await (
    await harness.jetstreamManager()
  ).streams.info(stack.config.nats.stream, { subjects_filter: subject });
  expect(info.state.subjects).toEqual({ [subject]: 1 });
});

it('refuses a relayed row whose subject belongs to another domain than its outbox', async () => {
  const ledger = stack.subgraphs.get('ledger')!;
  const event = makeEvent('wallet.deposit.confirmed', 'ledger', {
    depositId: 'dep_x',
    userId: 'usr_x',
    network: 'TRON',
    asset: 'USDT_TRON',
    amount: '1',
    txHash: '0xx',
    outputIndex: 0,
  });
  // A compromised ledger writes a wallet event into its own outbox; the relay publishes ledger rows as outbox-ledger.
  const nc = await connectAs(outboxUser('ledger'));
  const pool = new pg.Pool({ connectionString: stack.config.database.url, max: 2 });
  const relay = new OutboxRelay({
    pool,
    listenUrl: stack.config.database.url,
    js: nc.jetstream(),
    schemas: ['ledger'],
    subjectPrefix: stack.config.nats.subjectPrefix,
    log: createLogger({ name: 'test', level: 'silent' }),
    pollMs: 1000,
  });
  try {
    // The stack's own relay meets the same refusal (and backs off on the ledger schema only); this drives one batch.
    await ledger.deps.orm.em
      .getConnection()
      .execute(`insert into ledger.outbox (id, subject, envelope, occurred_at) values (?, ?, ?, now())`, [
        event.id,
        event.type,
        JSON.stringify(event),
      ]);
    await expect(relay.drainBatch('ledger')).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    const rows = await ledger.deps.orm.em
      .getConnection()
      .execute<{ published_at: Date | null }[]>('select published_at from ledger.outbox where id = ?', [event.id]);
    expect(rows).toEqual([{ published_at: null }]);
  } finally {
    await ledger.deps.orm.em.getConnection().execute('delete from ledger.outbox where id = ?', [event.id]);
    await pool.end();
  }
});

it('lets a service create, pull and ack only its own durables, and nobody but migrate change the stream', async () => {
  const { stream, subjectPrefix } = stack.config.nats;
  const market = await connectAs('market');
  const marketJsm = await market.jetstreamManager();
  // A consumer on money events, under a name of its own or under the ledger's name: refused.
  await expect(
    marketJsm.consumers.add(stream, {
      durable_name: 'market-spy',
      filter_subject: `${subjectPrefix}wallet.deposit.confirmed`,
    }),
  ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  await expect(
    marketJsm.consumers.add(stream, {
      durable_name: 'ledger-postings-wallet_deposit_confirmed',
      filter_subject: `${subjectPrefix}wallet.deposit.confirmed`,
    }),
  ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  // Pulling (and so acking away) the ledger's deposits: refused.
  await expect(
    market.request(
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.ledger-postings-wallet_deposit_confirmed`,
      encode({ batch: 1, expires: 1_000_000_000 }),
      { timeout: 3000 },
    ),
  ).rejects.toMatchObject({
    code: 'PERMISSIONS_VIOLATION',
  });
  // Reading stored messages directly: refused.
  await expect(marketJsm.streams.getMessage(stream, { seq: 1 })).rejects.toMatchObject({
    code: 'PERMISSIONS_VIOLATION',
  });

  // The ledger itself may create its durable only with the filter it is granted: another filter is another
  // API subject (refused), and a granted subject with another filter in the request is refused by JetStream.
  const ledgerNc = await connectAs('ledger');
  const ledger = await ledgerNc.jetstreamManager();
  const durable = 'ledger-postings-wallet_deposit_confirmed';
  const mismatched = await ledgerNc.request(
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}.${subjectPrefix}wallet.deposit.confirmed`,
    encode({
      stream_name: stream,
      config: {
        durable_name: durable,
        name: durable,
        ack_policy: 'explicit',
        filter_subject: `${subjectPrefix}identity.user.created`,
      },
    }),
    { timeout: 3000 },
  );
  expect(JSON.parse(new TextDecoder().decode(mismatched.data))).toMatchObject({ error: { err_code: 10131 } });
  await expect(
    ledger.consumers.add(stream, {
      durable_name: 'ledger-postings-wallet_deposit_confirmed',
      filter_subject: `${subjectPrefix}identity.>`,
    }),
  ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  // Stream settings (subjects, sources, republish) could copy someone's messages onto a money subject: only migrate.
  await expect(ledger.streams.update(stream, { subjects: [`${subjectPrefix}>`] })).rejects.toMatchObject({
    code: 'PERMISSIONS_VIOLATION',
  });
  await expect(
    ledger.streams.add({ name: `${stream}_X`, subjects: [`${subjectPrefix}market.>`] }),
  ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
  // Another user's replies (its inbox) cannot be read.
  const probe = await connectAs('gateway');
  // nats.js hands the server's refusal of a subscription to its callback.
  const refused = new Promise<string | undefined>((resolve) => {
    probe.subscribe('_INBOX_ledger.>', { callback: (err) => resolve(err ? err.code : 'a message') });
    setTimeout(() => resolve('still subscribed'), 3000);
  });
  await probe.flush().catch(() => undefined);
  expect(await refused).toBe('PERMISSIONS_VIOLATION');
});
