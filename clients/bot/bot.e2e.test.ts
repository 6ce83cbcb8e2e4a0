import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botProcess, DEV_SECRETS } from '../../platform/config/config.js';
import { startTelegramSimulator, type TelegramSimulator } from '../../devnet/telegram/telegram.simulator.js';
import { errorCode, gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser, type TestTelegramUser } from '../../testing/telegram.js';
import { signInStaff } from '../../testing/viewers.js';
import { startBot, type RunningBot } from './app.js';
import { depositQrPng } from './deposit-qr.js';
import { SECRET_HEADER } from './webhook.js';

const WEBHOOK_SECRET = 'e2e-webhook-secret_0123456789';
const SIGN_IN = `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`;
const MINI_APP_BALANCES = `{ me { balances { asset { symbol } total held } } }`;
const MINI_APP_DEPOSIT = `query($n: Network!) { me { depositAddress(network: $n) { address } } }`;
const DELEGATE = `mutation($c: String!, $u: TelegramUserInput!) { signInAsTelegramUser(credential: $c, telegramUser: $u) { accessToken expiresAt user { id } } }`;

let stack: TestStack;
let sim: TelegramSimulator;
let bot: RunningBot;

async function until<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function botConfig(overrides: Record<string, string>) {
  return botProcess.load({
    ...stack.vars,
    GATEWAY_URL: stack.graphqlUrl,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    MINI_APP_URL: 'https://wallet.example/app',
    ...overrides,
  });
}

/** The user as the Mini App sees them: a signInWithTelegram token. */
async function miniAppToken(user: TestTelegramUser): Promise<{ token: string; id: string }> {
  const res = await gql(stack.graphqlUrl, SIGN_IN, { d: initDataFor(user) });
  expect(res.body.errors).toBeUndefined();
  const payload = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  return { token: payload.accessToken, id: payload.user.id };
}

/** The bot's replies to one chat so far (text messages). */
const replies = (sim: TelegramSimulator, user: TestTelegramUser) => sim.messages(String(user.id));

/** Sends a user's message through the webhook and waits for the bot's answer to it. */
async function say(user: TestTelegramUser, text: string, answers = 1) {
  const before = replies(sim, user).length;
  const { delivery } = await sim.sendUpdate({ from: user, text });
  expect(delivery?.status).toBe(200);
  const after = await until(
    () => replies(sim, user),
    (m) => m.length >= before + answers,
  );
  return after.slice(before);
}

beforeAll(async () => {
  stack = await startStack();
  sim = await startTelegramSimulator();
  bot = await startBot(botConfig({ TELEGRAM_API_URL: sim.url, BOT_MODE: 'webhook' }), stack.log, 0);
}, 120_000);

afterAll(async () => {
  await bot?.close();
  await sim?.close();
  await stack?.close();
});

describe('Telegram bot (webhook mode, through the gateway)', () => {
  it('registered its webhook with the secret token on start', async () => {
    const res = await fetch(`${sim.url}/bot${stack.vars.TELEGRAM_BOT_TOKEN}/getWebhookInfo`);
    const info = (await res.json()) as { result: { url: string; pending_update_count: number } };
    expect(info.result.url).toBe(bot.webhookUrl);
  });

  it('/start signs the Telegram user in on the server side and offers a button opening the Mini App', async () => {
    const user = newTelegramUser();
    const [welcome] = await say(user, '/start');
    expect(welcome!.text).toContain('Welcome');
    expect(welcome!.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Open the wallet', web_app: { url: 'https://wallet.example/app' } }]],
    });
    // the account exists now: the Mini App's sign-in finds the same user the bot created
    const { token } = await miniAppToken(user);
    const me = await gql(stack.graphqlUrl, `{ me { telegramId username } }`, {}, token);
    expect(me.body.data!.me).toEqual({ telegramId: String(user.id), username: user.username });
  });

  it('/balance answers the balances the Mini App gets for the same user', async () => {
    const user = newTelegramUser();
    await say(user, '/start');
    const { token, id } = await miniAppToken(user);
    // fund the user (a SUPERADMIN adjustment) once the ledger knows them
    const admin = await signInStaff(stack, ['SUPERADMIN']);
    const funded = await until(
      () =>
        gql(
          stack.graphqlUrl,
          `mutation($u: ID!, $k: String!) { adjustBalance(userId: $u, asset: "USDT_TRON", amount: "1234.5", reason: "bot e2e", idempotencyKey: $k) { __typename } }`,
          { u: id, k: `bot-e2e-${id}` },
          admin.token,
        ),
      (r) => (r.body.data?.adjustBalance as { __typename?: string } | undefined)?.__typename === 'Transaction',
    );
    expect(funded.body.errors).toBeUndefined();

    const app = await gql(stack.graphqlUrl, MINI_APP_BALANCES, {}, token);
    const balances = app.body.data!.me.balances as { asset: { symbol: string }; total: string; held: string }[];
    expect(balances.find((b) => b.asset.symbol === 'USDT_TRON')?.total).toMatch(/^1234\.50*$/);

    const [answer] = await say(user, '/balance');
    const lines = answer!.text.split('\n').slice(1);
    expect(lines).toHaveLength(balances.length);
    for (const b of balances) {
      const [whole, fraction = ''] = b.total.split('.');
      const shown = `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction.replace(/0+$/, '') ? `.${fraction.replace(/0+$/, '')}` : ''}`;
      expect(lines).toContain(`${b.asset.symbol}: ${shown}`);
    }
    expect(lines).toContain('USDT_TRON: 1,234.5');
  });

  it('/deposit ETH answers the Mini App’s deposit address as text and as a QR code PNG of it', async () => {
    const user = newTelegramUser();
    const [text] = await say(user, '/deposit ETH');
    const { token } = await miniAppToken(user);
    const app = await gql(stack.graphqlUrl, MINI_APP_DEPOSIT, { n: 'ETH' }, token);
    const address = app.body.data!.me.depositAddress.address as string;
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(text!.text).toContain(address);
    const photos = await until(
      () => sim.photos(String(user.id)),
      (p) => p.length === 1,
    );
    expect(photos).toHaveLength(1);
    expect(photos[0]!.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(photos[0]!.caption).toBe('ETH deposit address');
    // the same encoder with the same options: byte for byte the QR code of the Mini App's address
    expect(photos[0]!.bytes.equals(await depositQrPng(address))).toBe(true);
  });

  it('/deposit without a known network, and unknown text, answer how to use the bot', async () => {
    const user = newTelegramUser();
    const [usage] = await say(user, '/deposit DOGE');
    expect(usage!.text).toContain('/deposit ETH');
    const [help] = await say(user, 'hello');
    expect(help!.text).toContain('/balance');
  });

  it('/history, /prices and /support answer as the user; the ticket is the user’s own', async () => {
    const user = newTelegramUser();
    const [history] = await say(user, '/history');
    expect(history!.text).toBe('No transactions yet.');
    const [prices] = await say(user, '/prices');
    const [title, ...lines] = prices!.text.split('\n');
    expect(title).toBe('Prices (USD):');
    // the same prices the public query answers (a stale one is null: "no price yet")
    const symbols = ['USDT_TRON', 'TON', 'TRX', 'ETH', 'BNB'];
    const app = await gql(
      stack.graphqlUrl,
      `query($s: [String!]!) { prices(symbols: $s, quote: USD) { coin value } }`,
      {
        s: symbols,
      },
    );
    const expected = (app.body.data!.prices as ({ coin: string; value: string } | null)[]).map((p, i) =>
      p ? `${p.coin}: ${p.value}` : `${symbols[i]!.replace(/_.*/, '')}: no price yet`,
    );
    expect(lines).toEqual(expected);
    const [ticket] = await say(user, '/support My deposit has not arrived');
    const id = /Ticket (\S+) is open/.exec(ticket!.text)?.[1];
    expect(id).toBeDefined();
    const { token } = await miniAppToken(user);
    const mine = await gql(stack.graphqlUrl, `query($id: ID!) { ticket(id: $id) { subject } }`, { id }, token);
    expect(mine.body.data!.ticket).toEqual({ subject: 'My deposit has not arrived' });
  });

  it('answers a Persian user in Persian with Persian digits', async () => {
    const user = newTelegramUser({ language_code: 'fa' });
    const [answer] = await say(user, '/balance');
    expect(answer!.text).toContain('موجودی‌های شما');
    expect(answer!.text).toContain('۰');
    expect(answer!.text).not.toMatch(/\d/);
  });

  it('refuses a forged webhook: no secret token or a wrong one is 401 and reaches no command', async () => {
    const user = newTelegramUser();
    const update = {
      update_id: 999_001,
      message: {
        message_id: 1,
        from: { ...user, is_bot: false },
        chat: { id: user.id, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: '/start',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    };
    const post = (headers: Record<string, string>) =>
      fetch(bot.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(update),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ [SECRET_HEADER]: 'wrong-secret' })).status).toBe(401);
    expect((await post({ [SECRET_HEADER]: `${WEBHOOK_SECRET}x` })).status).toBe(401);
    expect(replies(sim, user)).toHaveLength(0);
    // nor was the account created
    const delegated = await gql(stack.graphqlUrl, `{ users(first: 1) { edges { node { id } } } }`);
    expect(errorCode(delegated)).toBe('UNAUTHENTICATED');
    // the right secret is processed
    expect((await post({ [SECRET_HEADER]: WEBHOOK_SECRET })).status).toBe(200);
    expect(replies(sim, user).map((m) => m.text)).toEqual([expect.stringContaining('Welcome')]);
  });
});

describe('delegation: signInAsTelegramUser and the bot scope', () => {
  const tgUser = (user: TestTelegramUser) => ({
    id: String(user.id),
    username: user.username,
    firstName: user.first_name,
  });

  async function botToken(user = newTelegramUser()): Promise<{ token: string; expiresAt: string }> {
    const res = await gql(stack.graphqlUrl, DELEGATE, { c: DEV_SECRETS.BOT_SERVICE_CREDENTIAL, u: tgUser(user) });
    expect(res.body.errors).toBeUndefined();
    const s = res.body.data!.signInAsTelegramUser as { accessToken: string; expiresAt: string };
    return { token: s.accessToken, expiresAt: s.expiresAt };
  }

  it('needs the bot’s service credential; a signed-in user cannot call it', async () => {
    const user = newTelegramUser();
    const wrong = await gql(stack.graphqlUrl, DELEGATE, { c: `bsc_${'x'.repeat(48)}`, u: tgUser(user) });
    expect(errorCode(wrong)).toBe('FORBIDDEN');
    const { token } = await miniAppToken(user);
    const asUser = await gql(
      stack.graphqlUrl,
      DELEGATE,
      { c: DEV_SECRETS.BOT_SERVICE_CREDENTIAL, u: tgUser(newTelegramUser()) },
      token,
    );
    expect(errorCode(asUser)).toBe('FORBIDDEN');
  });

  it('issues a short-lived token (5 minutes) carrying USER and the bot scope, without a refresh token', async () => {
    const before = Date.now();
    const { token, expiresAt } = await botToken();
    const lifetime = Date.parse(expiresAt) - before;
    expect(lifetime).toBeGreaterThan(290_000);
    expect(lifetime).toBeLessThanOrEqual(301_000);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ roles: ['USER'], claims: ['scope:bot'] });
    const payloadFields = await gql(
      stack.graphqlUrl,
      `mutation($c: String!, $u: TelegramUserInput!) { signInAsTelegramUser(credential: $c, telegramUser: $u) { refreshToken } }`,
      { c: DEV_SECRETS.BOT_SERVICE_CREDENTIAL, u: tgUser(newTelegramUser()) },
    );
    expect(payloadFields.status).toBe(400); // DelegatedSession has no refreshToken
  });

  it('a bot-scoped token reads what the bot needs and is FORBIDDEN everything else', async () => {
    const { token } = await botToken();
    const allowed = await gql(
      stack.graphqlUrl,
      `{ me { id settings { language } balances { total } depositAddress(network: TRON) { address } transactions(first: 1) { edges { node { id } } } } }`,
      {},
      token,
    );
    expect(allowed.body.errors).toBeUndefined();
    const refused: [string, Record<string, unknown>][] = [
      [
        `mutation($i: TransferInput!) { transfer(input: $i) { __typename } }`,
        { i: { amount: '1', asset: 'USDT_TRON', idempotencyKey: 'k1', toUsername: 'someone' } },
      ],
      [
        `mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { id } }`,
        { i: { amount: '1', asset: 'USDT_TRON', idempotencyKey: 'k2', toAddress: 'TXYZ' } },
      ],
      [`mutation { updateSettings(input: { language: EN }) { id } }`, {}],
      [`mutation { signOut }`, {}],
      [`{ me { withdrawals(first: 1) { edges { node { id } } } } }`, {}],
      [`{ me { bankCards { id } } }`, {}],
      [`{ users(first: 1) { edges { node { id } } } }`, {}],
      [DELEGATE, { c: DEV_SECRETS.BOT_SERVICE_CREDENTIAL, u: tgUser(newTelegramUser()) }],
    ];
    for (const [query, variables] of refused) {
      const res = await gql(stack.graphqlUrl, query, variables, token);
      expect({ query, code: errorCode(res) }).toEqual({ query, code: 'FORBIDDEN' });
    }
  });
});

describe('Telegram bot (polling mode)', () => {
  it('long-polls getUpdates and answers', async () => {
    const pollSim = await startTelegramSimulator();
    const polling = await startBot(botConfig({ TELEGRAM_API_URL: pollSim.url, BOT_MODE: 'polling' }), stack.log, 0);
    try {
      const user = newTelegramUser();
      const { delivery } = await pollSim.sendUpdate({ from: user, text: '/start' });
      expect(delivery).toBeNull();
      const answered = await until(
        () => pollSim.messages(String(user.id)),
        (m) => m.length > 0,
      );
      expect(answered[0]!.text).toContain('Welcome');
      const info = await fetch(`${pollSim.url}/bot${stack.vars.TELEGRAM_BOT_TOKEN}/getWebhookInfo`);
      expect(((await info.json()) as { result: { url: string } }).result.url).toBe('');
    } finally {
      await polling.close();
      await pollSim.close();
    }
  });
});
