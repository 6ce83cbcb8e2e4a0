import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type CursorState } from '../../chains/source.js';
import { startTelegramSimulator, type TelegramSimulator } from '../../devnet/telegram/telegram.simulator.js';
import { DEV_SUPPORT_ALERT_CHAT_ID } from '../../platform/config/processes/support.js';
import { errorCode, gql } from '../../testing/graphql-client.js';
import { createTestObjectStore, postPresignedUpload, type TestObjectStore } from '../../testing/s3.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { signInStaff } from '../../testing/viewers.js';
import { DepositIngest } from '../wallet/deposit/deposit.ingest.js';
import { createSupportMetrics } from './support.metrics.js';
import { SlaService } from './ticket/sla.service.js';
import { Registry } from 'prom-client';
import { until } from '../../testing/until.js';

/**
 * Support end to end through the gateway: a ticket linked to the user's own deposit (ownership learnt from
 * wallet.deposit.detected), staff seeing the deposit in the same query, assignment, an internal note and a public
 * reply, ticketUpdated on both sides, staff alerts in the Telegram simulator (also through 429 flood control),
 * attachments in the devnet S3 server, and every refusal.
 */
let stack: TestStack;
let s3: TestObjectStore;
let telegram: TelegramSimulator;
const clients: Client[] = [];
const CHAT = DEV_SUPPORT_ALERT_CHAT_ID;

beforeAll(async () => {
  s3 = await createTestObjectStore('support');
  telegram = await startTelegramSimulator();
  stack = await startStack({ ...s3.env, TELEGRAM_API_URL: telegram.url });
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await stack?.close();
  await telegram?.close();
  s3?.close();
});

const supportSql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  stack.subgraphs.get('support')!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);

async function user(): Promise<{ token: string; userId: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user: u } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  return { token: accessToken, userId: u.id };
}

const hash = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`;
let nextHeight = 5000n;

/** With `confirm`, blocks follow until it is confirmed (the ledger then credits it); else it stays DETECTED. */
async function depositTo(token: string, amountWei: bigint, confirm = false): Promise<string> {
  const confirmations = confirm ? 2 : 12;
  const address = (await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, token)).body
    .data!.me.depositAddress.address as string;
  const walletEm = stack.subgraphs.get('wallet')!.deps.orm.em;
  const ingest = new DepositIngest(
    { network: 'ETH', confirmations, reorgWindow: stack.config.chains.reorgWindow },
    stack.log,
  );
  const height = (nextHeight += 10n);
  const cursor: CursorState = await ingest.initCursor(
    walletEm.fork(),
    { height: height - 1n, hash: hash(height - 1n) },
    hash(height - 2n),
  );
  const txHash = hash(0xdead0000n + height);
  const empty = (h: bigint) => ({ height: h, hash: hash(h), parentHash: hash(h - 1n), transactions: 0, transfers: [] });
  const outcome = await ingest.ingest(walletEm.fork(), cursor, [
    {
      height,
      hash: hash(height),
      parentHash: hash(height - 1n),
      transactions: 1,
      transfers: [
        {
          asset: 'ETH',
          txHash,
          outputIndex: 0,
          from: '0x000000000000000000000000000000000000dEaD',
          to: address,
          amount: amountWei,
        },
      ],
    },
  ]);
  expect(outcome.applied).toBe(true);
  let top: CursorState = { height, hash: hash(height) };
  for (let h = height + 1n; confirm && h < height + BigInt(confirmations); h++) {
    expect((await ingest.ingest(walletEm.fork(), top, [empty(h)])).applied).toBe(true);
    top = { height: h, hash: hash(h) };
  }
  const found = await gql(
    stack.graphqlUrl,
    `query($h: String!) { depositsByTxHash(network: ETH, txHash: $h) { id } }`,
    { h: txHash },
    token,
  );
  const depositId = found.body.data!.depositsByTxHash[0].id as string;
  // the support subgraph learns the owner from wallet.deposit.detected
  await until(
    'the link directory to learn the deposit',
    () => supportSql(`select 1 from support.link_owner where kind = 'DEPOSIT' and object_id = ?`, [depositId]),
    (rows) => rows.length === 1,
  );
  return depositId;
}

interface Pushed {
  data?: { ticketUpdated?: { id: string; status: string; messages: { body: string; internal: boolean }[] } } | null;
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
    { query: `subscription { ticketUpdated { id status messages { body internal } } }` },
    {
      next: (value) => void received.push(value as Pushed),
      error: (err) => void received.push({ errors: [err] }),
      complete: () => undefined,
    },
  );
  return { received, ready: new Promise((resolve) => setTimeout(resolve, 300)) };
}

const OPEN = `mutation($i: OpenTicketInput!) { openTicket(input: $i) { id status subject category links { kind id } } }`;
const REPLY = `mutation($t: ID!, $b: String!) { replyToTicket(ticketId: $t, body: $b) { id body author internal } }`;
const NOTE = `mutation($t: ID!, $b: String!) { addTicketNote(ticketId: $t, body: $b) { id internal } }`;
const ASSIGN = `mutation($t: ID!, $a: ID) { assignTicket(ticketId: $t, assigneeId: $a) { id assigneeId } }`;
const READ = `query($id: ID!) { ticket(id: $id) { id status subject firstResponseAt assigneeId messages { body author internal } } }`;

const alertsFor = (ticketId: string) => telegram.messages(CHAT).filter((m) => m.text.includes(ticketId));

describe('a ticket about a deposit', () => {
  it('user opens, staff sees the deposit in the same query, assigns, notes and replies; each side sees what it should, live; the staff chat is alerted', async () => {
    const alice = await user();
    const staff = await signInStaff(stack, ['SUPPORT']);
    const depositId = await depositTo(alice.token, 25n * 10n ** 16n); // 0.25 ETH

    const aliceLive = subscribe(alice.token);
    const staffLive = subscribe(staff.token);
    await Promise.all([aliceLive.ready, staffLive.ready]);

    const opened = await gql(
      stack.graphqlUrl,
      OPEN,
      {
        i: {
          subject: 'Deposit not credited',
          body: 'I sent 0.25 ETH an hour ago.',
          category: 'DEPOSIT',
          links: [{ kind: 'DEPOSIT', id: depositId }],
        },
      },
      alice.token,
    );
    expect(opened.body.errors).toBeUndefined();
    const ticket = opened.body.data!.openTicket as { id: string; status: string };
    expect(opened.body.data!.openTicket).toMatchObject({
      status: 'OPEN',
      category: 'DEPOSIT',
      links: [{ kind: 'DEPOSIT', id: depositId }],
    });

    // staff: the queue with the deposit's amount and status, one query
    const queue = await gql(
      stack.graphqlUrl,
      `{ ticketQueue(first: 50) { edges { node { id status user { id } deposit { id amount status asset { symbol } } } } } }`,
      {},
      staff.token,
    );
    expect(queue.body.errors).toBeUndefined();
    const row = (queue.body.data!.ticketQueue.edges as { node: { id: string } }[]).find((e) => e.node.id === ticket.id);
    expect(row?.node).toEqual({
      id: ticket.id,
      status: 'OPEN',
      user: { id: alice.userId },
      deposit: { id: depositId, amount: '0.25', status: 'DETECTED', asset: { symbol: 'ETH' } },
    });

    expect((await gql(stack.graphqlUrl, ASSIGN, { t: ticket.id, a: staff.userId }, staff.token)).body.data).toEqual({
      assignTicket: { id: ticket.id, assigneeId: staff.userId },
    });
    const note = await gql(
      stack.graphqlUrl,
      NOTE,
      { t: ticket.id, b: 'Confirmations pending; check again in 10 min' },
      staff.token,
    );
    expect(note.body.data!.addTicketNote.internal).toBe(true);
    const reply = await gql(
      stack.graphqlUrl,
      REPLY,
      { t: ticket.id, b: 'Your deposit is waiting for confirmations.' },
      staff.token,
    );
    expect(reply.body.data!.replyToTicket).toMatchObject({ author: 'STAFF', internal: false });

    // the user sees their message and the public reply, not the note, nor who handles it
    const mine = await gql(stack.graphqlUrl, READ, { id: ticket.id }, alice.token);
    expect(mine.body.errors).toBeUndefined();
    expect(mine.body.data!.ticket).toMatchObject({
      status: 'WAITING_ON_USER',
      assigneeId: null,
      firstResponseAt: expect.any(String),
      messages: [
        { body: 'I sent 0.25 ETH an hour ago.', author: 'USER', internal: false },
        { body: 'Your deposit is waiting for confirmations.', author: 'STAFF', internal: false },
      ],
    });
    const staffView = await gql(stack.graphqlUrl, READ, { id: ticket.id }, staff.token);
    expect(staffView.body.data!.ticket.messages.map((m: { internal: boolean }) => m.internal)).toEqual([
      false,
      true,
      false,
    ]);
    expect(staffView.body.data!.ticket.assigneeId).toBe(staff.userId);

    // the user answers: back in the staff queue, and the staff chat hears of it
    const back = await gql(stack.graphqlUrl, REPLY, { t: ticket.id, b: 'Thanks, it shows now.' }, alice.token);
    expect(back.body.data!.replyToTicket.author).toBe('USER');
    expect((await gql(stack.graphqlUrl, READ, { id: ticket.id }, alice.token)).body.data!.ticket.status).toBe(
      'WAITING_ON_STAFF',
    );

    // live: the user got opened, reply and their own reply (never the note); staff got every change including the note
    const pushes = (live: Pushed[]) => live.filter((p) => p.data?.ticketUpdated?.id === ticket.id);
    await until(
      'staff pushes',
      () => pushes(staffLive.received).length,
      (n) => n >= 5,
    );
    await until(
      'user pushes',
      () => pushes(aliceLive.received).length,
      (n) => n >= 4,
    );
    expect(aliceLive.received.every((p) => !p.errors)).toBe(true);
    for (const p of pushes(aliceLive.received))
      expect(p.data!.ticketUpdated!.messages.every((m) => !m.internal)).toBe(true);
    expect(pushes(staffLive.received).some((p) => p.data!.ticketUpdated!.messages.some((m) => m.internal))).toBe(true);

    // Telegram: the new ticket and the user's reply, once each (staff replies and notes alert nobody)
    const alerts = await until(
      'two staff alerts',
      () => alertsFor(ticket.id),
      (a) => a.length >= 2,
    );
    expect(alerts.map((a) => a.text.split('\n')[0])).toEqual([
      `New ticket ${ticket.id} [DEPOSIT]`,
      `User replied: ticket ${ticket.id} [WAITING_ON_STAFF]`,
    ]);
    expect(alerts[0]!.parse_mode).toBeNull();
    expect(alerts[1]!.text).toContain('Thanks, it shows now.');

    // resolve; the user's reply within the window opens it again
    const resolved = await gql(
      stack.graphqlUrl,
      `mutation($t: ID!) { resolveTicket(ticketId: $t) { status resolvedAt } }`,
      { t: ticket.id },
      staff.token,
    );
    expect(resolved.body.data!.resolveTicket.status).toBe('RESOLVED');
    await gql(stack.graphqlUrl, REPLY, { t: ticket.id, b: 'One more question' }, alice.token);
    expect((await gql(stack.graphqlUrl, READ, { id: ticket.id }, alice.token)).body.data!.ticket.status).toBe(
      'WAITING_ON_STAFF',
    );
    const closed = await gql(
      stack.graphqlUrl,
      `mutation($t: ID!) { closeTicket(ticketId: $t) { status } }`,
      { t: ticket.id },
      alice.token,
    );
    expect(closed.body.data!.closeTicket.status).toBe('CLOSED');
    const rated = await gql(
      stack.graphqlUrl,
      `mutation($t: ID!) { rateTicket(ticketId: $t, rating: 5, comment: "quick") { rating ratingComment } }`,
      { t: ticket.id },
      alice.token,
    );
    expect(rated.body.data!.rateTicket).toEqual({ rating: 5, ratingComment: 'quick' });
    const late = await gql(stack.graphqlUrl, REPLY, { t: ticket.id, b: 'hello?' }, alice.token);
    expect(late.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'TICKET_CLOSED' });

    // the user's own list
    const list = await gql(
      stack.graphqlUrl,
      `{ me { tickets(first: 5) { edges { node { id status } } } } }`,
      {},
      alice.token,
    );
    expect(list.body.data!.me.tickets.edges).toEqual([{ node: { id: ticket.id, status: 'CLOSED' } }]);

    // the outbox carried the events the notifier will read
    const subjects = await supportSql<{ subject: string }>(
      `select subject from support.outbox where envelope->'payload'->>'ticketId' = ? order by occurred_at`,
      [ticket.id],
    );
    const types = subjects.map((s) => s.subject.replace(stack.config.nats.subjectPrefix, ''));
    for (const t of [
      'support.ticket.opened',
      'support.ticket.assigned',
      'support.ticket.replied',
      'support.ticket.resolved',
      'support.ticket.closed',
    ])
      expect(types).toContain(t);
  });
});

describe('a ticket about a ledger transaction', () => {
  it('the credit of the user’s deposit can be linked (learnt from ledger.transaction.committed) and staff see it', async () => {
    const bob = await user();
    const staff = await signInStaff(stack, ['SUPPORT']);
    const depositId = await depositTo(bob.token, 10n ** 18n, true);
    const credited = await until(
      'the ledger to credit the deposit',
      () =>
        gql(
          stack.graphqlUrl,
          `query($id: ID!) { deposit(id: $id) { status transaction { id } } }`,
          { id: depositId },
          bob.token,
        ),
      (res) => res.body.data?.deposit?.transaction?.id !== undefined,
    );
    const transactionId = credited.body.data!.deposit.transaction.id as string;
    await until(
      'the link directory to learn the transaction',
      () =>
        supportSql(`select user_id from support.link_owner where kind = 'TRANSACTION' and object_id = ?`, [
          transactionId,
        ]),
      (rows) => rows.length === 1,
    );
    const opened = await gql(
      stack.graphqlUrl,
      OPEN,
      {
        i: {
          subject: 'credit?',
          body: 'which transaction is this',
          links: [
            { kind: 'TRANSACTION', id: transactionId },
            { kind: 'DEPOSIT', id: depositId },
          ],
        },
      },
      bob.token,
    );
    expect(opened.body.errors).toBeUndefined();
    const read = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { ticket(id: $id) { transaction { id kind amount asset { symbol } } deposit { status } } }`,
      { id: opened.body.data!.openTicket.id },
      staff.token,
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data!.ticket).toEqual({
      transaction: { id: transactionId, kind: 'DEPOSIT', amount: '1', asset: { symbol: 'ETH' } },
      deposit: { status: 'CREDITED' },
    });
    // two links of one kind are refused
    const twice = await gql(
      stack.graphqlUrl,
      OPEN,
      {
        i: {
          subject: 'x',
          body: 'x',
          links: [
            { kind: 'DEPOSIT', id: depositId },
            { kind: 'DEPOSIT', id: depositId },
          ],
        },
      },
      bob.token,
    );
    expect(twice.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'links' });
  });
});

describe('refusals and plain text', () => {
  it('another user’s deposit or ticket is NOT_FOUND; users calling staff fields are FORBIDDEN', async () => {
    const owner = await user();
    const mallory = await user();
    const depositId = await depositTo(owner.token, 10n ** 17n);
    const stolen = await gql(
      stack.graphqlUrl,
      OPEN,
      { i: { subject: 'mine', body: 'mine', category: 'DEPOSIT', links: [{ kind: 'DEPOSIT', id: depositId }] } },
      mallory.token,
    );
    expect(stolen.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', kind: 'DEPOSIT' });
    expect(await supportSql(`select 1 from support.ticket where user_id = ?`, [mallory.userId])).toEqual([]);

    const t = (await gql(stack.graphqlUrl, OPEN, { i: { subject: 'help', body: 'help me' } }, owner.token)).body.data!
      .openTicket.id as string;
    expect(errorCode(await gql(stack.graphqlUrl, REPLY, { t, b: 'hi' }, mallory.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(stack.graphqlUrl, READ, { id: t }, mallory.token))).toBe('NOT_FOUND');
    expect(
      errorCode(
        await gql(stack.graphqlUrl, `mutation($t: ID!) { closeTicket(ticketId: $t) { id } }`, { t }, mallory.token),
      ),
    ).toBe('NOT_FOUND');
    expect(errorCode(await gql(stack.graphqlUrl, `{ user(id: "${owner.userId}") { id } }`, {}, mallory.token))).toBe(
      'FORBIDDEN',
    );

    for (const [query, vars] of [
      [ASSIGN, { t, a: owner.userId }],
      [NOTE, { t, b: 'x' }],
      [`mutation($t: ID!) { resolveTicket(ticketId: $t) { id } }`, { t }],
      [`{ ticketQueue { edges { node { id } } } }`, {}],
      [`{ ticketSla { waiting } }`, {}],
    ] as const)
      expect(errorCode(await gql(stack.graphqlUrl, query, vars, owner.token))).toBe('FORBIDDEN');
    // past the gateway's rule, the subgraph refuses too (defence in depth) — FINANCE staff without tickets:assign
    const finance = await signInStaff(stack, ['FINANCE']);
    expect(errorCode(await gql(stack.graphqlUrl, NOTE, { t, b: 'x' }, finance.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, `{ ticketQueue { edges { node { id } } } }`, {}, null))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('stores 10,000-character bodies and HTML/script exactly as text; refuses blank and over-long ones', async () => {
    const me = await user();
    const long = 'ب'.repeat(9_990) + '0123456789';
    const html = `<script>alert("x")</script><b>bold</b> & <img src=x onerror=alert(1)> **md**`;
    const opened = await gql(stack.graphqlUrl, OPEN, { i: { subject: '<h1>Subject</h1>', body: long } }, me.token);
    expect(opened.body.errors).toBeUndefined();
    const id = opened.body.data!.openTicket.id as string;
    await gql(stack.graphqlUrl, REPLY, { t: id, b: html }, me.token);
    const read = await gql(stack.graphqlUrl, READ, { id }, me.token);
    expect(read.body.data!.ticket.subject).toBe('<h1>Subject</h1>');
    expect(read.body.data!.ticket.messages.map((m: { body: string }) => m.body)).toEqual([long, html]);
    expect([...long].length).toBe(10_000);

    const tooLong = await gql(stack.graphqlUrl, REPLY, { t: id, b: 'x'.repeat(20_001) }, me.token);
    expect(tooLong.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body', max: 20_000 });
    expect(errorCode(await gql(stack.graphqlUrl, REPLY, { t: id, b: '  \n ' }, me.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(stack.graphqlUrl, OPEN, { i: { subject: 's'.repeat(201), body: 'b' } }, me.token))).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('attachments', () => {
  const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(500).fill(1)]);
  const EXE = Uint8Array.from([0x4d, 0x5a, 0x90, 0x00, 0x03, ...new Array(2000).fill(0)]);
  const REQUEST = `mutation($t: ID!, $n: String!, $c: AttachmentContentType!) { requestTicketAttachment(ticketId: $t, fileName: $n, contentType: $c) { attachment { id status } url fields { name value } maxBytes } }`;
  const CONFIRM = `mutation($id: ID!) { confirmTicketAttachment(id: $id) { id status size contentType fileName } }`;
  const DOWNLOAD = `query($id: ID!) { ticketAttachmentDownload(id: $id) { url expiresAt } }`;

  async function upload(token: string, ticketId: string, bytes: Uint8Array, type = 'PNG') {
    const res = await gql(stack.graphqlUrl, REQUEST, { t: ticketId, n: 'screen.png', c: type }, token);
    expect(res.body.errors).toBeUndefined();
    const u = res.body.data!.requestTicketAttachment;
    const posted = await postPresignedUpload(
      {
        url: u.url,
        fields: Object.fromEntries(u.fields.map((f: { name: string; value: string }) => [f.name, f.value])),
      },
      bytes,
      { filename: 'screen.png', type: 'image/png' },
    );
    return { id: u.attachment.id as string, posted };
  }

  it('a PNG is accepted and readable by its user and staff through one-minute links; others get NOT_FOUND; an .exe and an 11 MB file are refused', async () => {
    const me = await user();
    const other = await user();
    const staff = await signInStaff(stack, ['SUPPORT']);
    const t = (await gql(stack.graphqlUrl, OPEN, { i: { subject: 'screenshot', body: 'see attached' } }, me.token)).body
      .data!.openTicket.id as string;

    const png = await upload(me.token, t, PNG);
    expect(png.posted.status).toBeLessThan(300);
    const ok = await gql(stack.graphqlUrl, CONFIRM, { id: png.id }, me.token);
    expect(ok.body.data!.confirmTicketAttachment).toEqual({
      id: png.id,
      status: 'ACCEPTED',
      size: PNG.length,
      contentType: 'image/png',
      fileName: 'screen.png',
    });
    for (const token of [me.token, staff.token]) {
      const link = await gql(stack.graphqlUrl, DOWNLOAD, { id: png.id }, token);
      expect(link.body.errors).toBeUndefined();
      const seconds = (new Date(link.body.data!.ticketAttachmentDownload.expiresAt).getTime() - Date.now()) / 1000;
      expect(seconds).toBeLessThanOrEqual(61);
      const got = await fetch(link.body.data!.ticketAttachmentDownload.url);
      expect(new Uint8Array(await got.arrayBuffer())).toEqual(PNG);
    }
    expect(errorCode(await gql(stack.graphqlUrl, DOWNLOAD, { id: png.id }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(stack.graphqlUrl, REQUEST, { t, n: 'x.png', c: 'PNG' }, other.token))).toBe('NOT_FOUND');
    const listed = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { ticket(id: $id) { attachments { id } } }`,
      { id: t },
      staff.token,
    );
    expect(listed.body.data!.ticket.attachments).toEqual([{ id: png.id }]);

    const exe = await upload(me.token, t, EXE);
    expect(exe.posted.status).toBeLessThan(300); // the policy sees only the claimed type…
    const refused = await gql(stack.graphqlUrl, CONFIRM, { id: exe.id }, me.token);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'ATTACHMENT_REJECTED',
      reason: 'TYPE_NOT_ALLOWED',
    });
    const [key] = await supportSql<{ object_key: string }>(
      `select object_key from support.ticket_attachment where id = ?`,
      [exe.id],
    );
    expect(await s3.store.head(key!.object_key)).toBeNull(); // …and the bytes are deleted

    const big = new Uint8Array(11 * 1024 * 1024);
    big.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const tooBig = await upload(me.token, t, big);
    expect(tooBig.posted.status).toBeGreaterThanOrEqual(400);
    const missing = await gql(stack.graphqlUrl, CONFIRM, { id: tooBig.id }, me.token);
    expect(missing.body.errors?.[0]?.extensions).toMatchObject({ code: 'ATTACHMENT_REJECTED', reason: 'MISSING' });
    expect(errorCode(await gql(stack.graphqlUrl, DOWNLOAD, { id: exe.id }, me.token))).toBe('NOT_FOUND');
  });
});

describe('SLA', () => {
  it('a ticket unanswered past the first-response SLA is marked once, alerts the staff chat and shows in ticketSla and the queue filters', async () => {
    const me = await user();
    const staff = await signInStaff(stack, ['SUPPORT']);
    const t = (
      await gql(stack.graphqlUrl, OPEN, { i: { subject: 'slow', body: 'anyone?', category: 'KYC' } }, me.token)
    ).body.data!.openTicket.id as string;
    // opened two hours ago, as far as the SLA is concerned
    await supportSql(
      `update support.ticket set created_at = now() - interval '2 hours', waiting_since = now() - interval '2 hours' where id = ?`,
      [t],
    );
    const support = stack.subgraphs.get('support')!;
    const sla = new SlaService(
      { firstResponseSlaMinutes: 60, resolutionSlaHours: 48 },
      createSupportMetrics(new Registry()),
      stack.log,
    );
    while (await sla.markBreaches(support.deps.orm.em));
    expect(await sla.markBreaches(support.deps.orm.em)).toBe(false);
    const marked = await supportSql<{ n: number }>(
      `select count(*)::int as n from support.outbox where subject like '%support.ticket.sla-breached' and envelope->'payload'->>'ticketId' = ?`,
      [t],
    );
    expect(marked).toEqual([{ n: 1 }]);
    const alert = await until(
      'the SLA alert',
      () => alertsFor(t).filter((a) => a.text.startsWith('SLA breach')),
      (a) => a.length === 1,
      // the staff group is paced at 20 messages a minute: alerts from the tests before this one may be queued ahead
      90_000,
    );
    expect(alert[0]!.text).toContain('no answer for 60 minutes');

    const read = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { ticket(id: $id) { slaBreachedAt } }`,
      { id: t },
      staff.token,
    );
    expect(read.body.data!.ticket.slaBreachedAt).toEqual(expect.any(String));
    const hidden = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { ticket(id: $id) { slaBreachedAt } }`,
      { id: t },
      me.token,
    );
    expect(hidden.body.data!.ticket.slaBreachedAt).toBeNull();
    const stats = await gql(
      stack.graphqlUrl,
      `{ ticketSla { waiting oldestWaitingSeconds breachedUnanswered firstResponseSlaMinutes opened } }`,
      {},
      staff.token,
    );
    expect(stats.body.errors).toBeUndefined();
    expect(stats.body.data!.ticketSla.breachedUnanswered).toBeGreaterThanOrEqual(1);
    expect(stats.body.data!.ticketSla.oldestWaitingSeconds).toBeGreaterThanOrEqual(7200);
    expect(stats.body.data!.ticketSla.firstResponseSlaMinutes).toBe(60);

    // the queue: waiting longest first puts it ahead of every ticket opened since; filters narrow it
    const QUEUE = `query($f: TicketQueueFilter) { ticketQueue(filter: $f, first: 100) { edges { node { id category } } } }`;
    const first = await gql(stack.graphqlUrl, QUEUE, {}, staff.token);
    expect(first.body.data!.ticketQueue.edges[0].node.id).toBe(t);
    const kyc = await gql(stack.graphqlUrl, QUEUE, { f: { category: 'KYC', unassigned: true } }, staff.token);
    expect(kyc.body.data!.ticketQueue.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([t]);
    await gql(stack.graphqlUrl, ASSIGN, { t, a: staff.userId }, staff.token);
    const mine = await gql(stack.graphqlUrl, QUEUE, { f: { assigneeId: staff.userId } }, staff.token);
    expect(mine.body.data!.ticketQueue.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([t]);
    // a staff answer ends the wait
    await gql(stack.graphqlUrl, REPLY, { t, b: 'sorry for the wait' }, staff.token);
    const after = await gql(stack.graphqlUrl, QUEUE, { f: { assigneeId: staff.userId } }, staff.token);
    expect(after.body.data!.ticketQueue.edges).toEqual([]);
  }, 150_000);
});

describe('Telegram flood control', () => {
  it('alerts refused with 429 arrive after retry_after, each exactly once', async () => {
    const me = await user();
    telegram.flood(3, 2);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const res = await gql(stack.graphqlUrl, OPEN, { i: { subject: `flood ${n}`, body: 'x' } }, me.token);
      ids.push(res.body.data!.openTicket.id as string);
    }
    await until(
      'three alerts',
      () => ids.map((id) => alertsFor(id).length),
      (counts) => counts.every((c) => c >= 1),
      40_000,
    );
    // a little longer: nothing arrives twice
    await new Promise((r) => setTimeout(r, 1500));
    expect(ids.map((id) => alertsFor(id).length)).toEqual([1, 1, 1]);
    const refused = telegram.attempts().filter((a) => a.status === 429 && a.chat_id === CHAT);
    expect(refused.length).toBe(3);
    const firstRefusal = Math.min(...refused.map((a) => a.at));
    for (const id of ids) expect(alertsFor(id)[0]!.at).toBeGreaterThanOrEqual(firstRefusal + 2000);
    const rows = await supportSql<{ sent: number }>(
      `select count(*)::int as sent from support.staff_alert where ticket_id in (?, ?, ?) and sent_at is not null`,
      ids,
    );
    expect(rows).toEqual([{ sent: 3 }]);
  });
});
