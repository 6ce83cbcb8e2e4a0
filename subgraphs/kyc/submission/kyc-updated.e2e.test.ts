import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newId } from '../../../platform/ids.js';
import { gql } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';

/** kycUpdated over graphql-ws: the viewer's own submission at each status change, and nobody else's. */
let stack: TestStack;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await stack?.close();
});

const sql = (subgraph: string, text: string, params: unknown[] = []) =>
  stack.subgraphs.get(subgraph)!.deps.orm.em.fork().getConnection().execute(text, params);

async function user(): Promise<{ token: string; userId: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user: u } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  return { token: accessToken, userId: u.id };
}

interface Pushed {
  data?: { kycUpdated?: { id: string; status: string; approvedTier: string | null } } | null;
  errors?: unknown[];
}

function subscribe(token: string): { received: Pushed[]; ready: Promise<void> } {
  const client = createClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
  });
  clients.push(client);
  const received: Pushed[] = [];
  client.subscribe(
    { query: `subscription { kycUpdated { id status approvedTier } }` },
    {
      next: (value) => void received.push(value as Pushed),
      error: (err) => void received.push({ errors: [err] }),
      complete: () => undefined,
    },
  );
  // graphql-ws has no "subscribed" ack: give the gateway time to hold the NATS subscription
  return { received, ready: new Promise((resolve) => setTimeout(resolve, 300)) };
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('kycUpdated', () => {
  it('pushes PENDING then APPROVED to the applicant only', async () => {
    const alice = await user();
    const bob = await user();
    const aliceSub = subscribe(alice.token);
    const bobSub = subscribe(bob.token);
    await Promise.all([aliceSub.ready, bobSub.ready]);

    // a verified phone and accepted documents, as those flows record them (kyc.e2e.test.ts drives them for real)
    await sql('kyc', `insert into kyc.verified_phone (phone, user_id) values (?, ?)`, [
      `+98901${String(process.pid % 100000).padStart(6, '0')}1`,
      alice.userId,
    ]);
    const documentIds: string[] = [];
    for (const kind of ['ID_CARD_FRONT', 'ID_CARD_BACK']) {
      const id = newId('doc');
      await sql(
        'kyc',
        `insert into kyc.kyc_document (id, user_id, kind, object_key, status, size, content_type) values (?, ?, ?, ?, 'ACCEPTED', 10, 'image/jpeg')`,
        [id, alice.userId, kind, `kyc/${alice.userId}/${id}`],
      );
      documentIds.push(id);
    }
    const submitted = await gql(
      stack.graphqlUrl,
      `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id } }`,
      {
        i: {
          tier: 'BASIC',
          firstName: 'سارا',
          lastName: 'محمدی',
          nationalId: '0084575948',
          birthDate: '1365/01/15',
          documentIds,
        },
      },
      alice.token,
    );
    expect(submitted.body.errors).toBeUndefined();
    const id = submitted.body.data!.submitKyc.id as string;
    await until('the PENDING push', () => aliceSub.received.length >= 1);
    expect(aliceSub.received[0]).toEqual({
      data: { kycUpdated: { id, status: 'PENDING', approvedTier: null } },
      extensions: { eventId: expect.stringMatching(/^evt_/), eventType: 'kyc.submission.submitted' },
    });

    const email = `kyc-live-${process.pid}@example.com`;
    const staff = await signInStaff(stack, ['COMPLIANCE'], email);
    await sql('identity', `update identity."user" set claims = '{kyc:review}' where id = ?`, [staff.userId]);
    const token = (
      await gql(
        stack.graphqlUrl,
        `mutation { signInAdmin(email: "${email}", password: "correct horse battery staple") { accessToken } }`,
      )
    ).body.data!.signInAdmin.accessToken as string;
    const approved = await gql(
      stack.graphqlUrl,
      `mutation($id: ID!) { approveKyc(id: $id, tier: BASIC) { id } }`,
      { id },
      token,
    );
    expect(approved.body.errors).toBeUndefined();
    await until('the APPROVED push', () => aliceSub.received.length >= 2);
    expect(aliceSub.received[1]).toEqual({
      data: { kycUpdated: { id, status: 'APPROVED', approvedTier: 'BASIC' } },
      extensions: { eventId: expect.stringMatching(/^evt_/), eventType: 'kyc.submission.approved' },
    });

    // bob saw nothing of alice's
    await new Promise((r) => setTimeout(r, 300));
    expect(bobSub.received).toEqual([]);
  });
});
