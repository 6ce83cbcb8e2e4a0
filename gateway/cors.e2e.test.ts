import { existsSync, mkdirSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../testing/graphql-client.js';
import { startStack, type TestStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A static "Mini App" page on its own origin. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>mini app</title><p>mini app</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let stack: TestStack;
let browser: Browser;
let allowed: { server: Server; origin: string };
let other: { server: Server; origin: string };
let token: string;
beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  [allowed, other] = [await pageServer(), await pageServer()];
  stack = await startStack({ CORS_ORIGINS: allowed.origin });
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  token = res.body.data!.signInWithTelegram.accessToken;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  allowed?.server.close();
  other?.server.close();
});

/** What a Mini App does: a cross-origin POST with a bearer token (so the browser sends a preflight first). */
async function queryFrom(origin: string) {
  const page = await browser.newPage();
  await page.goto(origin);
  const result = await page.evaluate(
    async ({ url, token }) => {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'apollo-require-preflight': 'true',
          },
          body: JSON.stringify({ query: '{ me { id } levelRules { level } }' }),
        });
        return { ok: true as const, status: res.status, body: await res.json() };
      } catch (err) {
        return { ok: false as const, error: String(err) };
      }
    },
    { url: stack.graphqlUrl, token },
  );
  return { page, result };
}

describe('CORS', () => {
  it('a page on an allowed origin queries the gateway; a page on another origin is refused by the browser', async () => {
    const { page, result } = await queryFrom(allowed.origin);
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      body: { data: { me: { id: expect.stringMatching(/^usr_/) }, levelRules: expect.any(Array) } },
    });
    await page.setContent(`<pre>${JSON.stringify(result, null, 2)}</pre>`);
    mkdirSync('.tmp', { recursive: true });
    await page.screenshot({ path: '.tmp/cors-allowed.png' });
    const refused = await queryFrom(other.origin);
    expect(refused.result).toMatchObject({ ok: false, error: expect.stringMatching(/Failed to fetch/) });
  });

  it('answers the preflight for the methods and headers clients send, echoing the origin (never *) and varying on Origin', async () => {
    const preflight = (origin: string) =>
      fetch(stack.graphqlUrl, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization, apollo-require-preflight',
        },
      });
    const ok = await preflight(allowed.origin);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/GET.*POST/);
    for (const header of ['content-type', 'authorization', 'apollo-require-preflight'])
      expect(ok.headers.get('access-control-allow-headers')).toContain(header);
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    const no = await preflight(other.origin);
    expect(no.status).toBe(403);
    expect(no.headers.get('access-control-allow-origin')).toBeNull();

    // the actual responses: readable by the allowed origin, Vary kept alongside Apollo's own
    const post = (origin?: string) =>
      fetch(stack.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
        body: JSON.stringify({ query: '{ levelRules { level } }' }),
      });
    const fromPage = await post(allowed.origin);
    expect(fromPage.status).toBe(200);
    expect(fromPage.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(fromPage.headers.get('vary')).toMatch(/Origin/);
    const fromElsewhere = await post(other.origin);
    expect(fromElsewhere.status).toBe(403);
    expect(
      ((await fromElsewhere.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe('ORIGIN_NOT_ALLOWED');
    // servers and bots send no Origin and are not affected
    const server = await post();
    expect(server.status).toBe(200);
    expect(server.headers.get('vary')).toMatch(/Origin/);
  });
  it('a graphql-ws socket opens from an allowed page and is refused (403 before any WebSocket) from any other origin', async () => {
    const socketFrom = async (origin: string) => {
      const page = await browser.newPage();
      await page.goto(origin);
      const outcome = await page.evaluate(
        ({ url, token }) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url, 'graphql-transport-ws');
            ws.onopen = () =>
              ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
            ws.onmessage = (event) => {
              resolve(JSON.parse(String(event.data)).type);
              ws.close();
            };
            ws.onclose = (event) => resolve(`closed ${event.code}`);
          }),
        { url: stack.graphqlUrl.replace(/^http/, 'ws'), token },
      );
      await page.close();
      return outcome;
    };
    expect(await socketFrom(allowed.origin)).toBe('connection_ack');
    expect(await socketFrom(other.origin)).toBe('closed 1006');
    // the refusal happens at the upgrade: a 403, no WebSocket; the allowed origin is switched to WebSocket
    const upgradeStatus = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(stack.graphqlUrl, {
          headers: {
            origin,
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
            'sec-websocket-protocol': 'graphql-transport-ws',
          },
        });
        req.on('response', (res) => resolve(res.statusCode ?? 0));
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await upgradeStatus(other.origin)).toBe(403);
    expect(await upgradeStatus(allowed.origin)).toBe(101);
  });
});
