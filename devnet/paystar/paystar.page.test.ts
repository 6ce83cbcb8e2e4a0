import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaystarGateway } from '../../providers/paystar/paystar.client.js';
import { closeAfterEach, FAST_RESILIENCE } from '../../testing/provider-fixtures.js';
import { readRequestBody, startSimulatorServer } from '../http/simulator.server.js';
import { PAYSTAR_SIMULATOR_DEFAULTS, startPaystarSimulator } from './paystar.simulator.js';

/** The payment page in headless Chromium: the user pays or cancels, and the browser posts back to the merchant. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CARD = '6037991327465278';
const track = closeAfterEach();

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
  mkdirSync('.tmp', { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

/** A merchant callback endpoint recording what the browser posts (Paystar's callback is a form POST). */
async function merchant() {
  const received: Array<{ method: string; fields: Record<string, string> }> = [];
  const server = track(
    await startSimulatorServer(async (req, res, url) => {
      if (url.pathname !== '/payments/paystar/callback') {
        res.writeHead(404).end();
        return;
      }
      const body = await readRequestBody(req);
      received.push({
        method: req.method ?? '',
        fields: Object.fromEntries(req.method === 'GET' ? url.searchParams : new URLSearchParams(body)),
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><p id="merchant">received</p>');
    }),
  );
  return { callbackUrl: `${server.url}/payments/paystar/callback`, received };
}

async function setup(callbackMethod: 'POST' | 'GET' = 'POST') {
  const sim = track(await startPaystarSimulator({ callbackMethod }));
  const client = createPaystarGateway({
    baseUrl: sim.apiBaseUrl,
    gatewayId: PAYSTAR_SIMULATOR_DEFAULTS.gatewayId,
    signKey: PAYSTAR_SIMULATOR_DEFAULTS.signKey,
    resilience: FAST_RESILIENCE,
  });
  return { sim, client, ...(await merchant()) };
}

describe('Paystar simulator payment page (headless Chromium)', () => {
  it('shows the amount, refuses another card, pays with the restricted card and posts the callback the client verifies', async () => {
    const { sim, client, callbackUrl, received } = await setup();
    const session = await client.create({ amountToman: 250_000n, orderId: 'order-42', callbackUrl, cardNumber: CARD });
    const page = await browser.newPage();
    try {
      await page.goto(session.paymentUrl);
      expect(await page.locator('#amount').getAttribute('data-rial')).toBe('2500000');
      expect(await page.locator('#amount-toman').textContent()).toContain('250,000');
      await page.screenshot({ path: '.tmp/paystar-payment-page.png' });

      await page.fill('#card', '6104337966585547');
      await page.click('#pay');
      await expect.poll(() => page.locator('#error').count()).toBe(1);
      expect(received).toHaveLength(0);
      expect(sim.payment(session.refNum)?.state).toBe('INIT');

      await page.fill('#card', CARD);
      await page.click('#pay');
      await page.waitForURL(callbackUrl);
      expect(await page.locator('#merchant').textContent()).toBe('received');
    } finally {
      await page.close();
    }
    expect(received).toHaveLength(1);
    expect(received[0]?.method).toBe('POST');
    const callback = client.parseCallback(received[0]!.fields);
    expect(callback).toMatchObject({
      status: '1',
      orderId: 'order-42',
      refNum: session.refNum,
      cardNumber: '603799******5278',
    });
    const verified = await client.verify({
      refNum: callback.refNum,
      amountToman: 250_000n,
      cardNumber: callback.cardNumber!,
      trackingCode: callback.trackingCode!,
    });
    expect(verified).toMatchObject({ outcome: 'VERIFIED', amountToman: 250_000n });
  });

  it('cancel posts a non-1 status without card or tracking code, and verify refuses it', async () => {
    const { client, callbackUrl, received } = await setup();
    const session = await client.create({ amountToman: 5_000n, orderId: 'order-43', callbackUrl });
    const page = await browser.newPage();
    try {
      await page.goto(session.paymentUrl);
      await page.click('#cancel');
      await page.waitForURL(callbackUrl);
    } finally {
      await page.close();
    }
    const callback = client.parseCallback(received[0]!.fields);
    expect(callback).toMatchObject({ status: '-99', orderId: 'order-43', cardNumber: null, trackingCode: null });
    expect(
      await client.verify({ refNum: callback.refNum, amountToman: 5_000n, cardNumber: '', trackingCode: '' }),
    ).toMatchObject({
      outcome: 'REFUSED',
      code: 'NOT_VERIFIABLE',
    });
  });

  it('with callbackMethod GET the browser is redirected to the callback with the fields in the query string', async () => {
    const { client, callbackUrl, received } = await setup('GET');
    const session = await client.create({ amountToman: 7_000n, orderId: 'order-44', callbackUrl });
    const page = await browser.newPage();
    try {
      await page.goto(session.paymentUrl);
      await page.fill('#card', CARD);
      await page.click('#pay');
      await page.waitForURL((u) => u.pathname === '/payments/paystar/callback');
    } finally {
      await page.close();
    }
    expect(received[0]?.method).toBe('GET');
    const callback = client.parseCallback(received[0]!.fields);
    expect(callback).toMatchObject({ status: '1', orderId: 'order-44', cardNumber: '603799******5278' });
    expect(
      await client.verify({
        refNum: callback.refNum,
        amountToman: 7_000n,
        cardNumber: callback.cardNumber!,
        trackingCode: callback.trackingCode!,
      }),
    ).toMatchObject({ outcome: 'VERIFIED' });
  });
});
