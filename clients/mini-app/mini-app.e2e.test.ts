import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPriceSimulators, type PriceSimulators } from '../../devnet/prices/price-simulators.js';
import { EvmSender } from '../../devnet/evm/evm-sender.js';
import { startUwalletSimulator, type UwalletSimulator } from '../../devnet/vouchers/uwallet.simulator.js';
import { startLocalEvmChain, type LocalEvmChain } from '../../devnet/evm/local-chain.js';
import { gql } from '../../testing/graphql-client.js';
import { publishMarketPrice } from '../../testing/market-prices.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser, type TestTelegramUser } from '../../testing/telegram.js';
import { signInStaff } from '../../testing/viewers.js';
import { newId } from '../../platform/ids.js';
import { startChainWatcherWorker, type RunningChainWatcher } from '../../workers/chain-watchers/core/watcher.worker.js';
import { buildMiniApp, MINI_APP_ROOT } from './build.js';

/**
 * The reference Mini App in headless Chromium against the whole stack (every subgraph, the relay, the gateway serving
 * /app, a local EVM chain with its watcher, the price simulators), every non-local request blocked. Screenshots of
 * each screen, in English and Persian, go to clients/mini-app/screenshots/.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(MINI_APP_ROOT, 'screenshots');
const ETH = 10n ** 18n;
const DARK_THEME = {
  bg_color: '#17212b',
  text_color: '#f5f5f5',
  hint_color: '#708499',
  link_color: '#6ab3f3',
  button_color: '#5288c1',
  button_text_color: '#ffffff',
  secondary_bg_color: '#232e3c',
};

let chain: LocalEvmChain;
let evm: EvmSender;
let sims: PriceSimulators;
let uwallet: UwalletSimulator;
let stack: TestStack;
let watcher: RunningChainWatcher;
let browser: Browser;
const external: string[] = [];
const pageErrors: string[] = [];

interface Opened {
  page: Page;
  user: TestTelegramUser;
}

/** Opens the app as Telegram would launch it: initData (and, for the dark run, theme parameters) in the hash. */
async function open(
  user: TestTelegramUser,
  options: { theme?: Record<string, string>; route?: string } = {},
): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol === 'data:') return route.continue();
    external.push(url.href);
    return route.abort();
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/.test(msg.text())) pageErrors.push(msg.text());
  });
  const hash = new URLSearchParams({
    tgWebAppData: initDataFor(user),
    tgWebAppVersion: '7.0',
    tgWebAppPlatform: 'web',
  });
  if (options.theme) hash.set('tgWebAppThemeParams', JSON.stringify(options.theme));
  // a bot's web_app button to /app#/kyc opens with the launch parameters after the route
  await page.goto(`${stack.gateway.url}/app#${options.route ? `/${options.route}?` : ''}${hash}`);
  await page.getByTestId(options.route ?? 'home').waitFor({ timeout: 30_000 });
  return { page, user };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const sql = (subgraph: string, text: string, params: unknown[] = []) =>
  stack.subgraphs.get(subgraph)!.deps.orm.em.fork().getConnection().execute(text, params);

/** A national ID (کد ملی) with a valid check digit, different each run (the kyc subgraph claims each once). */
function nationalId(): string {
  const body = String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0) % 11;
  return `${body}${sum < 2 ? sum : 11 - sum}`;
}

async function signIn(user: TestTelegramUser): Promise<string> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
    { d: initDataFor(user) },
  );
  return res.body.data!.signInWithTelegram.accessToken as string;
}

async function api(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await gql(stack.graphqlUrl, query, variables, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

/** The amount a balance row shows (the available column). */
const shown = (page: Page, symbol: string) =>
  page.getByTestId(`balance-${symbol}`).getByTestId('amount').textContent({ timeout: 5_000 });

/** Mines a block every 100 ms until `check` holds (deposits need blocks on top to confirm). */
async function mineUntil(what: string, check: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await evm.mine(1);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const [, localChain, simulators, voucherProvider] = await Promise.all([
    buildMiniApp({ onlyIfStale: true }),
    startLocalEvmChain({ chainId: 1337 }),
    startPriceSimulators({ seed: 19 }),
    startUwalletSimulator({ balances: { HotVoucher: '100000000' } }),
  ]);
  uwallet = voucherProvider;
  chain = localChain;
  sims = simulators;
  evm = new EvmSender(chain.rpcUrl, chain.accounts[1]!.privateKey);
  stack = await startStack({
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_CONFIRMATIONS: '2',
    CHAIN_ETH_POLL_MS: '100',
    CHAIN_WATCHER_PORT: '0',
    COINGECKO_BASE_URL: sims.config.coingecko!.baseUrl,
    COINMARKETCAP_BASE_URL: sims.config.coinmarketcap!.baseUrl,
    NOBITEX_BASE_URL: sims.config.nobitex!.baseUrl,
    UWALLET_BASE_URL: uwallet.url,
    LEDGER_FEES: 'ETH:0.001:0,*:0:0',
    RATE_LIMIT_VIEWER_PER_MINUTE: '100000',
    RATE_LIMIT_IP_PER_MINUTE: '100000',
  });
  watcher = await startChainWatcherWorker(stack.config, stack.log, 'ETH', { port: 0 });
  // the ledger values transfers against the level limits at market prices
  await publishMarketPrice(stack, 'ETH', 'USD', '3000');
  await publishMarketPrice(stack, 'ETH', 'IRT', '300000000');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await watcher?.close().catch(() => undefined);
  await stack?.close();
  await sims?.close();
  await uwallet?.close();
  await chain?.stop();
});

describe('the Mini App', () => {
  const alice = newTelegramUser({ username: `alice${Date.now() % 1_000_000}` });
  const bob = newTelegramUser({ username: `bob${Date.now() % 1_000_000}` });
  let a: Opened;
  let b: Opened;

  it('is served at /app with its CSP and cache headers', async () => {
    const index = await fetch(`${stack.gateway.url}/app`, { headers: { 'accept-encoding': 'gzip' } });
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${new URL(stack.gateway.url).host}`);
    const html = await index.text();
    const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${stack.gateway.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${stack.gateway.url}/app/..%2Fbuild.ts`)).status).toBe(404);
    expect((await fetch(`${stack.gateway.url}/app/assets/missing.js`)).status).toBe(404);
  });

  it('opened from Telegram with every non-local request blocked: signed in, username and balances shown', async () => {
    a = await open(alice);
    await expect.poll(() => a.page.getByTestId('username').textContent()).toBe(`@${alice.username}`);
    expect(await shown(a.page, 'ETH')).toBe('0');
    expect(await a.page.getAttribute('html', 'dir')).toBe('ltr');
    await a.page.getByTestId('link').and(a.page.locator('[data-state="online"]')).waitFor();
    await shot(a.page, 'en-home-empty');
  });

  it('a devnet deposit to the shown address goes live on the receive screen and on the home screen, no reload', async () => {
    const { page } = a;
    await page.getByTestId('go-receive').click();
    await page.getByTestId('network-ETH').click();
    await expect.poll(() => page.getByTestId('address').textContent()).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const address = (await page.getByTestId('address').textContent())!;
    expect(await page.getByTestId('qr').locator('svg').count()).toBe(1);

    await evm.sendNative(address, (3n * ETH) / 2n);
    const credited = page.locator('[data-testid="deposit"][data-status="CREDITED"]');
    await mineUntil('the deposit credited on the receive screen', async () => (await credited.count()) === 1);
    await shot(page, 'en-receive');

    await page.getByTestId('back').click();
    await expect.poll(() => shown(page, 'ETH')).toBe('1.5');
    // a second deposit while the home screen is open
    await evm.sendNative(address, ETH / 2n);
    await mineUntil('the second deposit on the home screen', async () => (await shown(page, 'ETH')) === '2');
    await expect.poll(() => page.getByTestId('total').textContent()).not.toMatch(/^0 /);
    await shot(page, 'en-home');
  });

  it('a transfer sent from the send screen with a double click moves money once; the recipient sees it live', async () => {
    b = await open(bob, { theme: DARK_THEME });
    expect(await shown(b.page, 'ETH')).toBe('0');
    expect(await b.page.getAttribute('html', 'data-theme')).toBe('dark');

    const { page } = a;
    await page.getByTestId('go-send').click();
    await page.getByTestId('to').fill(`@${bob.username}`);
    await page.getByTestId('asset').selectOption('ETH');
    // over the asset's per-transfer cap, then over the balance: the API's refusals in words
    await page.getByTestId('amount').fill('100');
    await page.getByTestId('main-button').click();
    await expect
      .poll(() => page.getByTestId('error').textContent())
      .toBe('Over your per-transfer limit of 3 ETH: 3 ETH left.');
    await page.getByTestId('amount').fill('2.5');
    await page.getByTestId('main-button').click();
    await expect
      .poll(() => page.getByTestId('error').textContent())
      .toBe('Not enough ETH: you have 2, this needs 2.501 (amount plus fee).');
    await shot(page, 'en-send-error');

    await page.getByTestId('amount').fill('0.25');
    await page.getByTestId('main-button').dblclick();
    await page.getByTestId('sent').waitFor();
    expect(await page.getByTestId('fee').textContent()).toBe('Fee: 0.001 ETH');
    await shot(page, 'en-send-done');

    await expect.poll(() => shown(b.page, 'ETH')).toBe('0.25');
    await shot(b.page, 'en-home-dark-recipient');
    await page.getByTestId('back').click();
    await expect.poll(() => shown(page, 'ETH')).toBe('1.749');

    const token = await signIn(alice);
    const data = await api(
      token,
      `{ me { balances(assets: ["ETH"]) { available } transactions(first: 50, filter: { kinds: [TRANSFER] }) { edges { node { id amount fee } } } } }`,
    );
    expect(data.me.balances[0].available).toBe('1.749');
    expect(data.me.transactions.edges.map((e: any) => [e.node.amount, e.node.fee])).toEqual([['0.25', '0.001']]);
  });

  it('history pages in as it scrolls', async () => {
    // 22 more transactions for alice: bob sends them back in small amounts
    const bobToken = await signIn(bob);
    for (let i = 0; i < 22; i++)
      await api(bobToken, `mutation($i: TransferInput!) { transfer(input: $i) { __typename } }`, {
        i: { toUsername: alice.username, asset: 'ETH', amount: '0.001', idempotencyKey: `back-${i}` },
      });
    const { page } = a;
    await page.getByTestId('go-history').click();
    const rows = page.getByTestId('transaction');
    await expect.poll(() => rows.count()).toBe(20);
    await shot(page, 'en-history');
    await page.getByTestId('more').scrollIntoViewIfNeeded();
    await expect.poll(() => rows.count()).toBe(25); // 2 deposits, 1 sent, 22 received
    expect(await rows.last().getAttribute('data-kind')).toBe('DEPOSIT');
  });

  it('shows offline and reconnects', async () => {
    const { page } = a;
    await page.getByTestId('back').click();
    await page.context().setOffline(true);
    await page.locator('[data-testid="link"][data-state="offline"]').waitFor();
    await shot(page, 'en-home-offline');
    await page.context().setOffline(false);
    await page.locator('[data-testid="link"][data-state="online"]').waitFor({ timeout: 30_000 });
  });

  it('in Persian: right to left, Persian digits, Jalali dates, on every screen', async () => {
    const { page } = a;
    await page.getByTestId('language').click();
    await expect.poll(() => page.getAttribute('html', 'dir')).toBe('rtl');
    expect(await page.getAttribute('html', 'lang')).toBe('fa');
    expect(await shown(page, 'ETH')).toBe('۱٫۷۷۱'); // 1.749 + 22 × 0.001
    expect(await page.getByTestId('total').textContent()).toMatch(/^[۰-۹٬]+ تومان|^[۰-۹٬٫]+ دلار/);
    await shot(page, 'fa-home');

    await page.getByTestId('go-history').click();
    await expect.poll(() => page.getByTestId('date').first().textContent()).toMatch(/۱۴۰[۴-۶]/);
    const dates = await page.getByTestId('date').allTextContents();
    expect(dates.join(' ')).not.toMatch(/[0-9]/);
    await shot(page, 'fa-history');
    await page.getByTestId('back').click();

    await page.getByTestId('go-receive').click();
    await page.getByTestId('network-ETH').click();
    await expect.poll(() => page.getByTestId('address').textContent()).toMatch(/^0x/);
    await shot(page, 'fa-receive');
    await page.getByTestId('back').click();

    await page.getByTestId('go-send').click();
    await page.getByTestId('to').fill(`@${bob.username}`);
    await page.getByTestId('asset').selectOption('ETH');
    await page.getByTestId('amount').fill('۲٫۵');
    await page.getByTestId('main-button').click();
    await expect
      .poll(() => page.getByTestId('error').textContent())
      .toBe('موجودی ETH کافی نیست: ۱٫۷۷۱ دارید و ۲٫۵۰۱ (مبلغ به‌علاوه کارمزد) لازم است.');
    await shot(page, 'fa-send-error');

    // the user's language is a setting: the API has it too
    const token = await signIn(alice);
    expect((await api(token, '{ me { settings { language } } }')).me.settings.language).toBe('FA');
  });

  const carol = newTelegramUser({ username: `carol${Date.now() % 1_000_000}` });
  let c: Opened;

  it('KYC status from a #/kyc link: what the next tier needs, then the submission and the decision live', async () => {
    c = await open(carol, { route: 'kyc' });
    const { page } = c;
    await expect.poll(() => page.getByTestId('kyc-status').getAttribute('data-status')).toBe('NONE');
    expect(await page.getByTestId('kyc-tier').textContent()).toBe('None');
    expect(await page.getByTestId('kyc-needs').locator('li').first().textContent()).toBe('A verified phone number');

    // a verified phone and accepted documents, as those flows record them (the kyc subgraph's tests drive them)
    const token = await signIn(carol);
    const userId = (await api(token, '{ me { id } }')).me.id as string;
    await sql('kyc', `insert into kyc.verified_phone (phone, user_id) values (?, ?)`, [
      `+98902${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
      userId,
    ]);
    const documentIds: string[] = [];
    for (const kind of ['ID_CARD_FRONT', 'ID_CARD_BACK']) {
      const id = newId('doc');
      await sql(
        'kyc',
        `insert into kyc.kyc_document (id, user_id, kind, object_key, status, size, content_type) values (?, ?, ?, ?, 'ACCEPTED', 10, 'image/jpeg')`,
        [id, userId, kind, `kyc/${userId}/${id}`],
      );
      documentIds.push(id);
    }
    const submitted = await api(token, `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id } }`, {
      i: {
        tier: 'BASIC',
        firstName: 'سارا',
        lastName: 'محمدی',
        nationalId: nationalId(),
        birthDate: '1365/01/15',
        documentIds,
      },
    });
    await expect.poll(() => page.getByTestId('kyc-status').getAttribute('data-status')).toBe('PENDING');
    expect(await page.getByTestId('kyc-status').textContent()).toBe('Under review · Basic');

    const email = `miniapp-kyc-${process.pid}@example.com`;
    const staff = await signInStaff(stack, ['COMPLIANCE'], email);
    await sql('identity', `update identity."user" set claims = '{kyc:review}' where id = ?`, [staff.userId]);
    const reviewer = (
      await gql(
        stack.graphqlUrl,
        `mutation { signInAdmin(email: "${email}", password: "correct horse battery staple") { accessToken } }`,
      )
    ).body.data!.signInAdmin.accessToken as string;
    await api(reviewer, `mutation($id: ID!) { approveKyc(id: $id, tier: BASIC) { id } }`, {
      id: submitted.submitKyc.id,
    });
    await expect.poll(() => page.getByTestId('kyc-status').getAttribute('data-status')).toBe('APPROVED');
    await expect.poll(() => page.getByTestId('kyc-tier').getAttribute('data-tier')).toBe('BASIC');
    await page.getByTestId('kyc-decided').waitFor();
    await shot(page, 'en-kyc');
  });

  it('support: open a ticket, see it listed, reply, and a staff answer arrives live', async () => {
    const { page } = c;
    await page.getByTestId('back').click();
    await page.getByTestId('go-support').click();
    await page.getByTestId('support').waitFor();
    await page.getByTestId('main-button').click();
    await page.getByTestId('subject').fill('Deposit not showing');
    await page.getByTestId('body').fill('I sent ETH an hour ago.\nTx: 0xabc');
    await page.getByTestId('main-button').click();
    await page.getByTestId('ticket-thread').waitFor();
    await expect
      .poll(() => page.getByTestId('message-body').allTextContents())
      .toEqual(['I sent ETH an hour ago.\nTx: 0xabc']);

    await page.getByTestId('reply').fill('It was on Ethereum.');
    await page.getByTestId('main-button').click();
    await expect.poll(() => page.getByTestId('message').count()).toBe(2);

    const token = await signIn(carol);
    const ticketId = (await api(token, '{ me { tickets { edges { node { id } } } } }')).me.tickets.edges[0].node.id;
    const support = await signInStaff(stack, ['SUPPORT']);
    await api(
      support.token,
      `mutation($t: ID!) { replyToTicket(ticketId: $t, body: "We are checking it now.") { id } }`,
      {
        t: ticketId,
      },
    );
    await expect.poll(() => page.getByTestId('message').count()).toBe(3);
    expect(await page.getByTestId('ticket-status').getAttribute('data-status')).toBe('WAITING_ON_USER');
    await shot(page, 'en-support-ticket');

    await page.getByTestId('back').click();
    const listed = page.getByTestId('ticket');
    await expect.poll(() => listed.count()).toBe(1);
    expect(await listed.first().textContent()).toContain('Deposit not showing');
    await shot(page, 'en-support');
  });

  it('KYC and support in Persian: right to left, Persian digits, Jalali dates', async () => {
    const { page } = c;
    await page.getByTestId('back').click();
    await page.getByTestId('language').click();
    await expect.poll(() => page.getAttribute('html', 'dir')).toBe('rtl');
    await page.getByTestId('go-kyc').click();
    await expect.poll(() => page.getByTestId('kyc-status').textContent()).toBe('تأیید شد – پایه');
    expect(await page.getByTestId('kyc-decided').textContent()).toMatch(/^[^0-9]*۱۴۰[۴-۶][^0-9]*$/);
    await shot(page, 'fa-kyc');
    await page.getByTestId('back').click();
    await page.getByTestId('go-support').click();
    await expect.poll(() => page.getByTestId('ticket').first().textContent()).toContain('در انتظار شما');
    await shot(page, 'fa-support');
    await page.getByTestId('ticket').first().click();
    await expect.poll(() => page.getByTestId('message').count()).toBe(3);
    await shot(page, 'fa-support-ticket');
  });

  it('buy/sell: a price held with a countdown, a double-tapped order fills once, in Persian then English', async () => {
    await publishMarketPrice(stack, 'ETH', 'IRT', '300000000');
    const { page } = a; // in Persian since the test above, on the send screen
    await page.getByTestId('back').click();
    await page.getByTestId('go-trade').click();
    await page.getByTestId('side-SELL').click();
    await page.getByTestId('coin').selectOption('ETH');
    await page.getByTestId('amount').fill('۰٫۱');
    await page.getByTestId('main-button').click();
    await page.getByTestId('quote').waitFor();
    expect(await page.getByTestId('quote-pay').textContent()).toBe('۰٫۱ ETH');
    expect(await page.getByTestId('quote-receive').textContent()).toMatch(/^[۰-۹٬]+ تومان$/);
    expect(await page.getByTestId('expiry').textContent()).toMatch(/^قیمت تا [۰-۹]+ ثانیه معتبر است$/);
    await shot(page, 'fa-trade-quote');

    await page.getByTestId('main-button').dblclick();
    await page.getByTestId('order').waitFor();
    expect(await page.getByTestId('order').getAttribute('data-status')).toBe('FILLED');
    await shot(page, 'fa-trade-done');
    await page.getByTestId('back').click();
    await expect.poll(() => shown(page, 'ETH')).toBe('۱٫۶۷۱');
    const token = await signIn(alice);
    const data = await api(token, `{ me { orders(first: 10) { edges { node { status kind pay } } } } }`);
    expect(data.me.orders.edges.map((e: any) => [e.node.status, e.node.kind, Number(e.node.pay)])).toEqual([
      ['FILLED', 'SELL', 0.1],
    ]);

    // English, from a #/trade link: buy ETH with the Toman just received
    await page.getByTestId('language').click();
    await expect.poll(() => page.getAttribute('html', 'dir')).toBe('ltr');
    const en = await open(alice, { route: 'trade' });
    await en.page.getByTestId('coin').selectOption('ETH');
    await en.page.getByTestId('amount').fill('1000000');
    await en.page.getByTestId('main-button').click();
    await en.page.getByTestId('quote').waitFor();
    expect(await en.page.getByTestId('quote-pay').textContent()).toBe('1,000,000 Toman');
    expect(await en.page.getByTestId('expiry').textContent()).toMatch(/^Price held for \d+ s$/);
    expect(await en.page.getByTestId('main-button').textContent()).toBe('Buy now');
    await shot(en.page, 'en-trade-quote');
    await en.page.close();
  });

  it('withdraw: a fee quote, a new address refused while it cools off, then a double-tapped internal withdrawal completed live', async () => {
    const { page } = a; // in English again, on home
    await page.getByTestId('go-withdraw').click();
    await page.getByTestId('asset').selectOption('ETH');
    await page.getByTestId('to-address').fill(chain.accounts[2]!.address);
    await page.getByTestId('amount').fill('0.1');
    await page.getByTestId('main-button').click();
    await page.getByTestId('fee-quote').waitFor();
    expect(await page.getByTestId('quote-fee').textContent()).toMatch(/^0\.\d+ ETH$/);
    await shot(page, 'en-withdraw-quote');
    await page.getByTestId('main-button').click();
    await expect
      .poll(() => page.getByTestId('error').textContent())
      .toMatch(
        /^This address is new to your account: for your safety it can receive withdrawals from \d.+\. Nothing was sent\.$/,
      );
    await expect.poll(() => page.getByTestId('saved-address').first().getAttribute('data-status')).toBe('COOLING_OFF');
    await shot(page, 'en-withdraw-refused');

    // to bob's deposit address: an internal transfer, free, completed (the status follows withdrawalUpdated)
    const bobToken = await signIn(bob);
    const bobAddress = (await api(bobToken, '{ me { depositAddress(network: ETH) { address } } }')).me.depositAddress
      .address as string;
    const bobBefore = Number(await shown(b.page, 'ETH'));
    await page.getByTestId('to-address').fill(bobAddress);
    await page.getByTestId('main-button').click();
    await page.getByTestId('fee-quote').waitFor();
    expect(await page.getByTestId('quote-fee').textContent()).toBe('0 ETH');
    await page.getByTestId('main-button').dblclick();
    await page.locator('[data-testid="withdrawal"][data-status="COMPLETED"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('withdrawal-status').textContent()).toBe('Completed');
    await shot(page, 'en-withdraw-done');
    await expect.poll(async () => Number(await shown(b.page, 'ETH'))).toBeCloseTo(bobBefore + 0.1, 9);
    await page.getByTestId('back').click();
    await expect.poll(() => shown(page, 'ETH')).toBe('1.571'); // 1.671 − 0.1, once
    const token = await signIn(alice);
    const data = await api(token, '{ me { withdrawals(first: 10) { edges { node { status internal } } } } }');
    expect(data.me.withdrawals.edges.map((e: any) => e.node)).toEqual([{ status: 'COMPLETED', internal: true }]);
  });

  it('withdraw in Persian: the saved address cooling off with its Jalali date, the refusal in words', async () => {
    const { page } = a;
    await page.getByTestId('language').click();
    await expect.poll(() => page.getAttribute('html', 'dir')).toBe('rtl');
    await page.getByTestId('go-withdraw').click();
    const saved = page.getByTestId('saved-address').first();
    await expect.poll(() => saved.textContent()).toMatch(/در دوره انتظار – قابل استفاده از .*۱۴۰[۴-۶]/);
    await saved.click(); // fills the address
    await page.getByTestId('amount').fill('۰٫۱');
    await page.getByTestId('main-button').click();
    await page.getByTestId('fee-quote').waitFor();
    expect(await page.getByTestId('quote-fee').textContent()).toMatch(/^۰٫[۰-۹]+ ETH$/);
    await page.getByTestId('main-button').click();
    await expect
      .poll(() => page.getByTestId('error').textContent())
      .toMatch(/^این آدرس برای حساب شما جدید است.*چیزی ارسال نشد\.$/);
    await shot(page, 'fa-withdraw-refused');
  });

  it('vouchers: a HOT voucher code redeemed with a double tap credits once, listed; the same code again refused', async () => {
    const admin = await signInStaff(stack, ['SUPERADMIN']);
    await api(admin.token, `mutation($input: SetVoucherRateInput!) { setVoucherRate(input: $input) { id } }`, {
      input: {
        type: 'HOT',
        side: 'SELL',
        currency: 'IRT',
        price: '0.98',
        validUntil: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    const code = uwallet.issue('HotVoucher', '500000'); // 500,000 Rial = 50,000 Toman
    const { page } = c; // in Persian, on a ticket's thread
    await page.getByTestId('back').click();
    await page.getByTestId('back').click();
    await page.getByTestId('go-vouchers').click();
    await expect.poll(() => page.getByTestId('voucher-list').textContent()).toBe('هنوز ووچری ندارید.');
    await page.getByTestId('voucher-type').selectOption('HOT');
    await page.getByTestId('voucher-code').fill(code);
    await page.getByTestId('main-button').dblclick();
    await expect.poll(() => page.getByTestId('redeemed').textContent()).toBe('انجام شد – ۴۹٬۰۰۰ تومان واریز شد');
    await expect.poll(() => page.getByTestId('voucher').count()).toBe(1);
    await shot(page, 'fa-vouchers');
    await page.getByTestId('back').click();
    await expect.poll(() => shown(page, 'IRT')).toBe('۴۹٬۰۰۰');

    await page.getByTestId('language').click();
    await expect.poll(() => page.getAttribute('html', 'dir')).toBe('ltr');
    await page.getByTestId('go-vouchers').click();
    await page.getByTestId('voucher-code').fill(code);
    await page.getByTestId('main-button').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toBe('This code has already been used.');
    expect(await page.getByTestId('voucher').first().textContent()).toContain('Redeemed · HOT Voucher (Toman)');
    await shot(page, 'en-vouchers');
    const token = await signIn(carol);
    const data = await api(token, '{ me { vouchers { edges { node { status assetAmount } } } } }');
    expect(data.me.vouchers.edges.map((e: any) => e.node)).toEqual([{ status: 'COMPLETED', assetAmount: '49000' }]);
  });

  it('made no request off this machine and raised no page error or CSP violation', () => {
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
