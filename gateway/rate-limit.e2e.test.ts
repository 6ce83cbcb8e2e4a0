import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../testing/stack.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';

// Requests from 127.0.0.2 come "through the proxy"; from 127.0.0.1 they come straight from a client.
const PROXY = '127.0.0.2';
const IP_LIMIT = 5;
const VIEWER_LIMIT = 8;

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({
    RATE_LIMIT_IP_PER_MINUTE: String(IP_LIMIT),
    RATE_LIMIT_VIEWER_PER_MINUTE: String(VIEWER_LIMIT),
    TRUSTED_PROXIES: `${PROXY}, 10.0.0.0/8`,
  });
});
afterAll(async () => {
  await stack?.close();
});

interface Answer {
  status: number;
  body: { data?: Record<string, any>; errors?: { extensions?: Record<string, unknown> }[] };
}

function post(
  query: string,
  options: { from?: string; forwardedFor?: string; token?: string; variables?: Record<string, unknown> } = {},
): Promise<Answer> {
  const body = JSON.stringify({ query, variables: options.variables ?? {} });
  return new Promise((resolve, reject) => {
    const req = request(
      stack.graphqlUrl,
      {
        method: 'POST',
        localAddress: options.from ?? '127.0.0.1',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const statuses = async (n: number, send: () => Promise<Answer>) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send()).status);
  return out;
};

async function signIn(forwardedFor: string): Promise<string> {
  const res = await post('mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }', {
    from: PROXY,
    forwardedFor,
    variables: { d: initDataFor(newTelegramUser()) },
  });
  expect(res.status).toBe(200);
  return res.body.data!.signInWithTelegram.accessToken as string;
}

/** The limits count per clock minute: start a test early in one, so its requests share a window. */
async function earlyInAMinute(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe('rate limits: anonymous traffic per IP, signed-in traffic per viewer', () => {
  beforeEach(earlyInAMinute, 20_000);
  it('many signed-in users behind one address (a carrier-grade NAT) each keep their own allowance', async () => {
    const nat = '203.0.113.50';
    const [alice, bob] = [await signIn('198.51.100.1'), await signIn('198.51.100.2')];
    // anonymous traffic from the NAT address uses up its allowance…
    const anonymous = await statuses(IP_LIMIT + 2, () =>
      post('{ levelRules { level } }', { from: PROXY, forwardedFor: nat }),
    );
    expect(anonymous).toEqual([...Array(IP_LIMIT).fill(200), 429, 429]);
    // …but signed-in users behind it are counted per viewer
    const aliceStatuses = await statuses(VIEWER_LIMIT + 1, () =>
      post('{ me { id } }', { from: PROXY, forwardedFor: nat, token: alice }),
    );
    expect(aliceStatuses).toEqual([...Array(VIEWER_LIMIT).fill(200), 429]);
    const limited = await post('{ me { id } }', { from: PROXY, forwardedFor: nat, token: alice });
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'viewer' });
    expect((await post('{ me { id } }', { from: PROXY, forwardedFor: nat, token: bob })).status).toBe(200);
    // another address behind the proxy has its own anonymous allowance
    expect((await post('{ levelRules { level } }', { from: PROXY, forwardedFor: `${nat}, 10.1.2.3` })).status).toBe(
      429,
    );
    expect((await post('{ levelRules { level } }', { from: PROXY, forwardedFor: '203.0.113.51' })).status).toBe(200);
  });

  it("X-Forwarded-For is believed only from a trusted proxy; bad tokens spend the address's allowance", async () => {
    // straight from 127.0.0.1 (not a trusted proxy): a new X-Forwarded-For per request does not open a new bucket
    let n = 0;
    const spoofed = await statuses(IP_LIMIT + 1, () =>
      post('{ levelRules { level } }', { forwardedFor: `192.0.2.${++n}` }),
    );
    expect(spoofed).toEqual([...Array(IP_LIMIT).fill(200), 429]);
    const guesses = await statuses(IP_LIMIT + 1, () =>
      post('{ me { id } }', { from: PROXY, forwardedFor: '203.0.113.77', token: 'not.a.token' }),
    );
    expect(guesses).toEqual([...Array(IP_LIMIT).fill(401), 429]);
  });
});
