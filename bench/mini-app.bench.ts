import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { print } from 'graphql';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildMiniApp, MINI_APP_DIST } from '../clients/mini-app/build.js';
import { AppHomeDocument } from '../clients/sdk/index.js';
import { startStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { arg, machine, median } from './harness.js';

/**
 * npm run bench:mini-app [-- --runs 15]
 * The reference Mini App next to the smallest page that does the same job: a plain HTML page (one inline script)
 * that signs in with the same initData and POSTs the same AppHome query, then lists the balances.
 *  - bytes: gzip size of what each page loads before the first balances (HTML + entry JS + CSS; the app's lazily
 *    loaded QR chunk is reported apart);
 *  - time to first balances: navigation start → the balance list in the DOM, headless Chromium, fresh page each
 *    run (cold cache), both pages served by the same local gateway (the whole stack in this process).
 */
const RUNS = arg('runs', 15);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PLAIN_PATH = '/bench/plain-home.html';

const gz = (bytes: Buffer | string) => gzipSync(bytes, { level: 9 }).length;

function plainPage(): string {
  const query = JSON.stringify(print(AppHomeDocument));
  return `<!doctype html><html><head><meta charset="utf-8"><title>plain</title></head><body><ul id="balances-plain"></ul>
<script>
(async () => {
  const initData = new URLSearchParams(location.hash.slice(1)).get('tgWebAppData');
  const post = (body, token) => fetch('/graphql', { method: 'POST', headers: Object.assign({ 'content-type': 'application/json' },
    token ? { authorization: 'Bearer ' + token } : {}), body: JSON.stringify(body) }).then((r) => r.json());
  const signIn = await post({ query: 'mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }', variables: { d: initData } });
  const home = await post({ query: ${query} }, signIn.data.signInWithTelegram.accessToken);
  const list = document.getElementById('balances-plain');
  for (const b of home.data.me.balances) { const li = document.createElement('li'); li.textContent = b.asset.symbol + ' ' + b.available; list.append(li); }
  list.dataset.ready = '1';
})();
</script></body></html>`;
}

function appBytes(): { firstLoad: number; lazy: number; files: string[] } {
  const html = readFileSync(join(MINI_APP_DIST, 'index.html'), 'utf8');
  const entry = [...html.matchAll(/(?:src|href)="\/app\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
  const all = readdirSync(join(MINI_APP_DIST, 'assets')).map((f) => `assets/${f}`);
  const size = (files: string[]) => files.reduce((sum, f) => sum + gz(readFileSync(join(MINI_APP_DIST, f))), 0);
  return {
    firstLoad: gz(html) + size(entry),
    lazy: size(all.filter((f) => !entry.includes(f))),
    files: entry,
  };
}

async function timeToBalances(browser: Browser, url: string, selector: string): Promise<number> {
  const context = await browser.newContext();
  const page: Page = await context.newPage();
  await page.route('**/*', (route) => {
    const target = new URL(route.request().url());
    if (target.pathname === PLAIN_PATH)
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: plainPage() });
    return target.hostname === '127.0.0.1' ? route.continue() : route.abort();
  });
  await page.goto(url);
  await page.locator(selector).first().waitFor({ timeout: 30_000 });
  const ms = await page.evaluate(() => performance.now());
  await context.close();
  return ms;
}

const { ms: buildMs } = await buildMiniApp();
const bytes = appBytes();
const plainBytes = gz(plainPage());
const stack = await startStack({ RATE_LIMIT_VIEWER_PER_MINUTE: '100000', RATE_LIMIT_IP_PER_MINUTE: '100000' });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
const times = { app: [] as number[], plain: [] as number[] };
try {
  const user = newTelegramUser();
  const launch = (path: string) =>
    `${stack.gateway.url}${path}#${new URLSearchParams({ tgWebAppData: initDataFor(user), tgWebAppVersion: '7.0', tgWebAppPlatform: 'web' })}`;
  // one warm-up of each (the gateway's query plan cache, the subgraphs' first queries)
  await timeToBalances(browser, launch('/app'), '[data-testid="balances"] li');
  await timeToBalances(browser, launch(PLAIN_PATH), '#balances-plain[data-ready] li');
  for (let i = 0; i < RUNS; i++) {
    times.app.push(await timeToBalances(browser, launch('/app'), '[data-testid="balances"] li'));
    times.plain.push(await timeToBalances(browser, launch(PLAIN_PATH), '#balances-plain[data-ready] li'));
  }
} finally {
  await browser.close();
  await stack.close();
}

const app = median(times.app);
const plain = median(times.plain);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`\nMini App benchmark — ${machine()}, ${RUNS} runs each`);
console.log(`vite build: ${buildMs} ms`);
console.log('| page | first-load bytes (gzip) | time to first balances, median ms |');
console.log('|---|---:|---:|');
console.log(`| plain HTML + fetch (baseline) | ${kb(plainBytes)} | ${plain.toFixed(0)} |`);
console.log(`| Mini App (${bytes.files.join(', ')}) | ${kb(bytes.firstLoad)} | ${app.toFixed(0)} |`);
console.log(
  `| **Mini App / plain** | **${(bytes.firstLoad / plainBytes).toFixed(1)}×** | **${(app / plain).toFixed(2)}×** |`,
);
console.log(`lazily loaded (QR code, receive screen): ${kb(bytes.lazy)} gzip`);
console.log(`app ms: ${times.app.map((t) => t.toFixed(0)).join(' ')}`);
console.log(`plain ms: ${times.plain.map((t) => t.toFixed(0)).join(' ')}`);
process.exit(0);
