import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { recordEvent } from '../../platform/bus/outbox.js';
import { idFloorAt, newId } from '../../platform/ids.js';
import { DepositEvents, type DepositEventPayload } from '../../subgraphs/wallet/deposit/deposit.events.js';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { until } from '../../testing/until.js';

/**
 * Subscriptions that survive reconnects, through the whole stack: deposits advance as the chain watcher
 * advances them (the wallet's rows and outbox events in one transaction; the relay, the ledger's credit and
 * the wallet's credited event are the real ones), a socket drops, and reopened with `after:` it receives what
 * it missed from JetStream, in order, once, then live events. Raw graphql-transport-ws frames, so each
 * message, its `extensions` and every ping/pong are visible.
 */
let stack: TestStack;
const sockets: RawSocket[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  for (const s of sockets) s.socket.terminate();
  await stack?.close();
});

interface Frame {
  type: string;
  id?: string;
  payload?: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: { eventId: string; eventType: string };
  } & Record<string, unknown>;
}

/** One graphql-transport-ws socket, spoken frame by frame. */
class RawSocket {
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      const i = this.waiters.findIndex((w) => w.match(frame));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(frame);
    });
  }

  static async open(url: string, token: string): Promise<RawSocket> {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const raw = new RawSocket(socket);
    sockets.push(raw);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const ack = raw.next((f) => f.type === 'connection_ack');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await ack;
    return raw;
  }

  /** The next frame (not yet received) that matches. */
  next(match: (f: Frame) => boolean): Promise<Frame> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  }

  /** The `next` payloads received for one operation. */
  results(id: string): NonNullable<Frame['payload']>[] {
    return this.frames.filter((f) => f.id === id && f.type === 'next').map((f) => f.payload!);
  }

  ping(payload: Record<string, unknown>): Promise<Frame> {
    const pong = this.next((f) => f.type === 'pong');
    this.socket.send(JSON.stringify({ type: 'ping', payload }));
    return pong;
  }
}

interface Person {
  token: string;
  userId: string;
  walletId: string;
  address: string;
}

async function signIn(telegramUser = newTelegramUser()): Promise<Person> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(telegramUser) },
  );
  const { accessToken: token, user } = res.body.data!.signInWithTelegram;
  const addr = await gql(stack.graphqlUrl, `{ me { depositAddress(network: TRON) { address } } }`, {}, token);
  const address = addr.body.data!.me.depositAddress.address as string;
  const wallet = stack.subgraphs.get('wallet')!.deps.orm.em.fork();
  const [row] = await wallet
    .getConnection()
    .execute<{ id: string }[]>(`select id from wallet.wallet where user_id = ? and network = 'TRON' and address = ?`, [
      user.id,
      address,
    ]);
  return { token, userId: user.id, walletId: row!.id, address };
}

/** A TRON USDT deposit driven as the chain watcher drives one: each status change and its event in one transaction. */
class Deposit {
  readonly id = newId('dep');
  private readonly txHash = `0x${newId('tx').slice(3)}`;

  constructor(
    private readonly owner: Person,
    private readonly amount: string,
  ) {}

  private payload(status: DepositEventPayload['status']): DepositEventPayload {
    return {
      depositId: this.id,
      userId: this.owner.userId,
      network: 'TRON',
      asset: 'USDT_TRON',
      amount: this.amount,
      txHash: this.txHash,
      outputIndex: 0,
      status,
    };
  }

  private async inWallet(change: (tx: EntityManager) => Promise<void>): Promise<void> {
    const em = stack.subgraphs.get('wallet')!.deps.orm.em.fork();
    await em.transactional(change);
  }

  detected(): Promise<void> {
    return this.inWallet(async (tx) => {
      await tx.execute(
        `insert into wallet.deposit (id, network, asset, user_id, wallet_id, amount, from_address, to_address, tx_hash,
           output_index, block_number, block_hash, confirmations, required_confirmations, status)
         values (?, 'TRON', 'USDT_TRON', ?, ?, ?, 'TSender', ?, ?, 0, 100, 'bh', 1, 3, 'DETECTED')`,
        [this.id, this.owner.userId, this.owner.walletId, this.amount, this.owner.address, this.txHash],
      );
      recordEvent(tx, DepositEvents.detected, 'wallet', this.payload('DETECTED'));
    });
  }

  confirming(): Promise<void> {
    return this.inWallet(async (tx) => {
      await tx.execute(`update wallet.deposit set status = 'CONFIRMING', confirmations = 2 where id = ?`, [this.id]);
      recordEvent(tx, DepositEvents.confirming, 'wallet', this.payload('CONFIRMING'));
    });
  }

  /** Enough confirmations: the credit request the ledger acts on (it then commits, and the wallet marks it credited). */
  confirmed(): Promise<void> {
    return this.inWallet(async (tx) => {
      const event = recordEvent(tx, DepositEvents.confirmed, 'wallet', this.payload('CONFIRMING'));
      await tx.execute(
        `update wallet.deposit set confirmations = 3, confirm_event_id = ?, confirmed_at = now() where id = ?`,
        [event.id, this.id],
      );
    });
  }

  async status(): Promise<string> {
    const res = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { deposit(id: $id) { status } }`,
      { id: this.id },
      this.owner.token,
    );
    return res.body.data?.deposit?.status as string;
  }
}

const DEPOSITS = `subscription($after: ID) { depositUpdated(after: $after) { id status amount } }`;
const BALANCES = `subscription($after: ID) { balanceUpdated(after: $after) { asset { symbol } available } }`;
const TYPES = DepositEvents;

async function credited(deposit: Deposit): Promise<void> {
  await deposit.detected();
  await deposit.confirming();
  await deposit.confirmed();
  await until(
    'the deposit credited',
    () => deposit.status(),
    (s) => s === 'CREDITED',
  );
}

/** Waits until `socket` holds at least `count` results for `id`. */
function resultsOf(socket: RawSocket, id: string, count: number) {
  return until(
    `${count} pushes on ${id}`,
    () => socket.results(id),
    (results) => results.length >= count,
  );
}

describe('subscriptions resumed after a reconnect', () => {
  it('a dropped socket reopened with after receives every deposit status and balance change it missed, in order, once, then live ones; another user’s never', async () => {
    const alice = await signIn();
    const bob = await signIn();
    const first = await RawSocket.open(stack.wsUrl, alice.token);
    first.subscribe('d', DEPOSITS);
    first.subscribe('b', BALANCES);
    const bobSocket = await RawSocket.open(stack.wsUrl, bob.token);
    bobSocket.subscribe('d', DEPOSITS);
    await new Promise((r) => setTimeout(r, 400)); // no "subscribed" ack in the protocol

    // Seen live: the first deposit's four events and its balance change, each push naming its event.
    const one = new Deposit(alice, '25000000');
    await credited(one);
    const seen = await resultsOf(first, 'd', 4);
    expect(seen.map((r) => r.extensions?.eventType)).toEqual([
      TYPES.detected,
      TYPES.confirming,
      TYPES.confirmed,
      TYPES.credited,
    ]);
    expect(new Set(seen.map((r) => r.extensions?.eventId)).size).toBe(4);
    const [seenBalance] = await resultsOf(first, 'b', 1);
    expect(seenBalance!.data).toEqual({ balanceUpdated: [{ asset: { symbol: 'USDT_TRON' }, available: '25' }] });
    expect(seenBalance!.extensions?.eventType).toBe('ledger.transaction.committed');
    const lastDeposit = seen.at(-1)!.extensions!.eventId;
    const lastBalance = seenBalance!.extensions!.eventId;

    // The socket drops; meanwhile a second deposit goes all the way, and Bob's one too.
    first.socket.terminate();
    await first.closed;
    const two = new Deposit(alice, '5000000');
    const bobs = new Deposit(bob, '7000000');
    await two.detected();
    await bobs.detected();
    await two.confirming();
    await two.confirmed();
    await bobs.confirming();
    await until(
      'the second deposit credited',
      () => two.status(),
      (s) => s === 'CREDITED',
    );

    // Reopened with after: the missed events replayed in order, exactly once; the data is the deposit as it is now.
    const second = await RawSocket.open(stack.wsUrl, alice.token);
    second.subscribe('d', DEPOSITS, { after: lastDeposit });
    second.subscribe('b', BALANCES, { after: lastBalance });
    const replayed = await resultsOf(second, 'd', 4);
    expect(replayed.map((r) => [r.extensions?.eventType, (r.data?.depositUpdated as { id: string }).id])).toEqual([
      [TYPES.detected, two.id],
      [TYPES.confirming, two.id],
      [TYPES.confirmed, two.id],
      [TYPES.credited, two.id],
    ]);
    expect(replayed.every((r) => r.errors === undefined)).toBe(true);
    expect((replayed.at(-1)!.data!.depositUpdated as { status: string }).status).toBe('CREDITED');
    const [balance] = await resultsOf(second, 'b', 1);
    expect(balance!.data).toEqual({ balanceUpdated: [{ asset: { symbol: 'USDT_TRON' }, available: '30' }] });
    expect(balance!.extensions?.eventType).toBe('ledger.transaction.committed');
    expect(balance!.extensions?.eventId).not.toBe(lastBalance);

    // Then live: a third deposit arrives after the replayed ones, once.
    const three = new Deposit(alice, '1000000');
    await three.detected();
    const withLive = await resultsOf(second, 'd', 5);
    expect(withLive[4]!.extensions?.eventType).toBe(TYPES.detected);
    expect((withLive[4]!.data!.depositUpdated as { id: string }).id).toBe(three.id);
    await new Promise((r) => setTimeout(r, 700));
    expect(second.results('d')).toHaveLength(5);
    expect(second.results('b')).toHaveLength(1);
    const ids = second.results('d').map((r) => r.extensions?.eventId);
    expect(new Set(ids).size).toBe(ids.length);

    // Bob saw only his own deposit, live; resumed, he gets only his own events too.
    const bobSeen = bobSocket.results('d');
    expect(bobSeen.map((r) => (r.data?.depositUpdated as { id: string }).id)).toEqual([bobs.id, bobs.id]);
    const bobAgain = await RawSocket.open(stack.wsUrl, bob.token);
    bobAgain.subscribe('d', DEPOSITS, { after: bobSeen[0]!.extensions!.eventId });
    const [bobReplayed] = await resultsOf(bobAgain, 'd', 1);
    expect(bobReplayed!.extensions?.eventType).toBe(TYPES.confirming);
    await new Promise((r) => setTimeout(r, 500));
    expect(bobAgain.results('d')).toHaveLength(1);
  });

  it('answers RESUME_WINDOW_EXCEEDED for an id too old or unknown, so the client refetches', async () => {
    const carol = await signIn();
    const socket = await RawSocket.open(stack.wsUrl, carol.token);
    const errorOf = async (id: string, after: string) => {
      const error = socket.next((f) => f.id === id && f.type === 'error');
      socket.subscribe(id, DEPOSITS, { after });
      return ((await error).payload as unknown as { extensions: Record<string, unknown> }[])[0]!.extensions;
    };
    expect(await errorOf('old', idFloorAt('evt', Date.now() - 2 * 86_400_000))).toMatchObject({
      code: 'RESUME_WINDOW_EXCEEDED',
      reason: 'TOO_OLD',
    });
    expect(await errorOf('unknown', newId('evt'))).toMatchObject({ code: 'RESUME_WINDOW_EXCEEDED', reason: 'UNKNOWN' });
    // the socket stays usable
    socket.subscribe('fine', DEPOSITS);
    const deposit = new Deposit(carol, '2000000');
    await deposit.detected();
    const [pushed] = await resultsOf(socket, 'fine', 1);
    expect(pushed!.data).toMatchObject({ depositUpdated: { id: deposit.id, status: 'DETECTED' } });
  });
});

describe('in-band token refresh (ping with { accessToken })', () => {
  it('keeps the socket past the old token’s expiry; a bad token is answered and changes nothing; a sign-out of the new session or another user’s token closes it 4403', async () => {
    const shortLived = await startStack({ ACCESS_TOKEN_TTL_SECONDS: '6' });
    try {
      const telegramUser = newTelegramUser();
      const signIn = async () =>
        (
          await gql(
            shortLived.graphqlUrl,
            `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken refreshToken expiresAt user { id } } }`,
            { d: initDataFor(telegramUser) },
          )
        ).body.data!.signInWithTelegram as { accessToken: string; refreshToken: string; expiresAt: string };
      const first = await signIn();
      const socket = await RawSocket.open(shortLived.wsUrl, first.accessToken);
      socket.subscribe('me', `subscription { meUpdated { settings { language } } }`);

      // a token the authenticator refuses: answered with its code, the socket keeps its old token
      const refused = await socket.ping({ accessToken: 'not-a-token' });
      expect(refused.payload).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });

      await new Promise((r) => setTimeout(r, 4000)); // the new token expires 3 s or more after the old one
      const refreshed = (
        await gql(
          shortLived.graphqlUrl,
          `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken expiresAt } }`,
          { t: first.refreshToken },
        )
      ).body.data!.refreshSession as { accessToken: string; expiresAt: string };
      const pong = await socket.ping({ accessToken: refreshed.accessToken });
      const expiresAt = Date.parse((pong.payload as { expiresAt: string }).expiresAt);
      expect(expiresAt).toBeGreaterThan(Date.parse(first.expiresAt));

      // past the first token's expiry the socket is open and its subscription live
      await until(
        'the first token expired',
        () => Date.now(),
        (now) => now > Date.parse(first.expiresAt) + 1200,
      );
      expect(socket.socket.readyState).toBe(WebSocket.OPEN);
      const pushed = socket.next((f) => f.id === 'me' && f.type === 'next');
      await gql(
        shortLived.graphqlUrl,
        `mutation { updateSettings(input: { language: FA }) { id } }`,
        {},
        refreshed.accessToken,
      );
      expect((await pushed).payload!.data).toEqual({ meUpdated: { settings: { language: 'FA' } } });

      // another user's token: refused, the socket closed
      const other = await RawSocket.open(shortLived.wsUrl, refreshed.accessToken);
      const stranger = (
        await gql(shortLived.graphqlUrl, `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`, {
          d: initDataFor(newTelegramUser()),
        })
      ).body.data!.signInWithTelegram as { accessToken: string };
      other.socket.send(JSON.stringify({ type: 'ping', payload: { accessToken: stranger.accessToken } }));
      expect((await other.closed).code).toBe(4403);
      expect(other.frames.filter((f) => f.type === 'pong')).toEqual([]);

      // the socket now belongs to the refreshed session: signing it out closes the socket
      await gql(shortLived.graphqlUrl, `mutation { signOut }`, {}, refreshed.accessToken);
      expect((await socket.closed).code).toBe(4403);
    } finally {
      await shortLived.close();
    }
  });

  it('echoes any other ping payload, as graphql-ws does', async () => {
    const alice = await signIn();
    const socket = await RawSocket.open(stack.wsUrl, alice.token);
    expect((await socket.ping({ hello: 'there' })).payload).toEqual({ hello: 'there' });
  });
});
