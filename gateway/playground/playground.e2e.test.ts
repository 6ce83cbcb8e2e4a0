import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { signInStaff } from '../../testing/viewers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let stack: TestStack;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  // Production's introspection policy: staff only.
  stack = await startStack({ INTROSPECTION_ENABLED: 'false' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
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
});

describe('playground', () => {
  it('loads with every non-local request blocked and runs a query through the gateway', async () => {
    const page = await browser.newPage();
    const external: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      const local =
        ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) ||
        url.protocol === 'data:' ||
        url.protocol === 'blob:';
      if (local) return route.continue();
      external.push(url.href);
      return route.abort();
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${stack.gateway.url}/playground`);
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 30_000 });
    await run.click();
    // the result editor renders spaces as non-breaking spaces
    await page.waitForFunction(
      () => document.body.innerText.replace(/\u00a0/g, ' ').includes('"kycTier": "BASIC"'),
      undefined,
      { timeout: 30_000 },
    );
    mkdirSync('.tmp', { recursive: true });
    await page.screenshot({ path: '.tmp/playground.png' });
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("lists Query's fields in the docs explorer for a staff token, while anonymous introspection is refused", async () => {
    const { token } = await signInStaff(stack, ['SUPPORT']);
    const page = await browser.newPage();
    // What a staff member types into the Headers tab; GraphiQL keeps it in localStorage and sends it with its
    // introspection query.
    await page.addInitScript(
      (headers) => localStorage.setItem('graphiql:headers', headers),
      JSON.stringify({ Authorization: `Bearer ${token}` }),
    );
    await page.goto(`${stack.gateway.url}/playground`);
    await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
    await page
      .locator('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name', { hasText: /^Query$/ })
      .first()
      .click();
    const fields = page.locator('.graphiql-doc-explorer a.graphiql-doc-explorer-field-name');
    await fields.first().waitFor({ timeout: 30_000 });
    const names = await fields.allInnerTexts();
    mkdirSync('.tmp', { recursive: true });
    await page.screenshot({ path: '.tmp/playground-docs.png' });
    expect(names).toEqual(expect.arrayContaining(['me', 'levelRules', 'prices', 'users']));

    const anonymous = await gql(stack.graphqlUrl, '{ __schema { queryType { name } } }');
    expect(anonymous.status).toBe(403);
    expect(errorCode(anonymous)).toBe('FORBIDDEN');
    const asStaff = await gql(
      stack.graphqlUrl,
      '{ __schema { queryType { name } } __type(name: "Query") { fields { name } } }',
      {},
      token,
    );
    expect(asStaff.body.errors).toBeUndefined();
    expect(asStaff.body.data).toMatchObject({ __schema: { queryType: { name: 'Query' } } });
  });
});
