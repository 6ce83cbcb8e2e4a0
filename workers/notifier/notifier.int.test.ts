import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramSimulator, type TelegramSimulator } from '../../devnet/telegram/telegram.simulator.js';
import { notifierProcess } from '../../platform/config/config.js';
import { openSubgraphDatabase, type MikroORM } from '../../platform/db/orm.js';
import { newId } from '../../platform/ids.js';
import { createTestEnv, type TestEnv } from '../../testing/test-env.js';

import { persianDigits } from './format.js';
import { startNotifier, type RunningNotifier } from './notifier.worker.js';
import { event, publishEvents, waitFor as waitUntil } from './testing/bus.js';

/**
 * The notifier in process against real Postgres and the authorized NATS server, sending to the Bot API simulator:
 * events published as their owners' relays do become exactly one message per user, in the user's language, through
 * redeliveries, 429 floods, a user who blocked the bot, and mute settings.
 */

let env: TestEnv;
let sim: TelegramSimulator;
let notifier: RunningNotifier;
let db: MikroORM;
let nextTelegramId = 880_000_000;

interface User {
  userId: string;
  chatId: string;
}

async function newUser(language: 'en' | 'fa', mutedNotifications: string[] = []): Promise<User> {
  const user = { userId: newId('usr'), chatId: String(nextTelegramId++) };
  await publishEvents(env.vars, [
    event('identity.user.created', {
      userId: user.userId,
      telegramId: user.chatId,
      username: null,
      language,
      mutedNotifications,
    }),
  ]);
  await waitUntil('recipient known', async () => (await rows('recipient', user.userId)).length === 1);
  return user;
}

async function rows(table: 'recipient' | 'message', userId: string): Promise<Record<string, unknown>[]> {
  return db.em.fork().getConnection().execute(`select * from "notifier"."${table}" where "user_id" = ?`, [userId]);
}

const credited = (userId: string, asset: string, amount: string) =>
  event('wallet.deposit.credited', {
    depositId: newId('dep'),
    userId,
    network: 'BSC',
    asset,
    amount,
    txHash: '0xabc',
    outputIndex: 0,
    status: 'CREDITED',
    transactionId: newId('txn'),
  });

beforeAll(async () => {
  env = await createTestEnv();
  sim = await startTelegramSimulator();
  const config = notifierProcess.load({
    ...env.vars,
    TELEGRAM_API_URL: sim.url,
    NOTIFIER_POLL_MS: '50',
    MINI_APP_URL: 'https://app.example/app',
  });
  notifier = await startNotifier(config, env.log, 0);
  db = await openSubgraphDatabase({
    schema: 'notifier',
    url: config.database.url,
    poolMax: 2,
    entities: [],
    migrations: [],
    log: env.log,
  });
}, 60_000);

afterAll(async () => {
  await notifier?.close();
  await db?.close(true);
  await sim?.close();
  await env?.cleanup();
});

describe('notifier', () => {
  it('a credited deposit: one message in Persian with the 18-decimal amount and a button to the history, even when the event comes twice', async () => {
    const user = await newUser('fa');
    const e = credited(user.userId, 'USDT_BSC', '1234500000000000000001');
    await publishEvents(env.vars, [e]);
    await waitUntil('message sent', async () => sim.messages(user.chatId).length === 1);
    // the same event again under another Nats-Msg-Id: JetStream delivers it, the inbox drops it
    await publishEvents(env.vars, [e], (x) => `${x.id}-again`);
    await publishEvents(env.vars, [credited(user.userId, 'IRT', '2500000')]);
    await waitUntil('second message', async () => sim.messages(user.chatId).length === 2);
    const [first, second] = sim.messages(user.chatId);
    expect(first!.text).toContain(`${persianDigits('1٬234٫500000000000000001')} USDT (BSC)`);
    expect(first!.text).not.toMatch(/[0-9]/); // Persian digits only, including the Jalali date
    expect(first!.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'مشاهده تاریخچه', web_app: { url: 'https://app.example/app/#/history' } }]],
    });
    expect(second!.text).toContain('۲٬۵۰۰٬۰۰۰ تومان');
    await waitUntil('both marked sent', async () =>
      (await rows('message', user.userId)).every((r) => r.status === 'SENT' && r.telegram_message_id !== null),
    );
    expect(await rows('message', user.userId)).toHaveLength(2);
  });

  it('Telegram answers 429: the message waits retry_after and is delivered once', async () => {
    const user = await newUser('en');
    sim.flood(2, 1);
    await publishEvents(env.vars, [credited(user.userId, 'ETH', '1500000000000000000')]);
    await waitUntil('message sent', async () => sim.messages(user.chatId).length === 1, 20_000);
    const tries = sim.attempts().filter((a) => a.chat_id === user.chatId);
    expect(tries.map((a) => a.status)).toEqual([429, 429, 200]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(900); // retry_after honoured (1 s)
    expect(sim.messages(user.chatId)[0]!.text).toMatch(/^Deposit credited: 1\.5 ETH is now in your balance\./);
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.messages(user.chatId)).toHaveLength(1);
  });

  it('a user who blocked the bot (403) is marked and skipped, and tried again once identity hears from them', async () => {
    const user = await newUser('en');
    sim.block(user.chatId);
    await publishEvents(env.vars, [credited(user.userId, 'TRX', '1000000')]);
    await waitUntil('blocked', async () => (await rows('recipient', user.userId))[0]!.blocked_at !== null);
    await publishEvents(env.vars, [credited(user.userId, 'TRX', '2000000')]);
    await waitUntil(
      'second skipped',
      async () => (await rows('message', user.userId)).filter((r) => r.status === 'BLOCKED').length === 2,
    );
    expect(sim.attempts().filter((a) => a.chat_id === user.chatId)).toHaveLength(1); // the second was not tried
    sim.unblock(user.chatId);
    await publishEvents(env.vars, [
      event('identity.user.updated', { userId: user.userId, changed: ['settings'], language: 'en' }),
    ]);
    await waitUntil('unblocked', async () => (await rows('recipient', user.userId))[0]!.blocked_at === null);
    await publishEvents(env.vars, [credited(user.userId, 'TRX', '3000000')]);
    await waitUntil('delivered', async () => sim.messages(user.chatId).length === 1);
    expect(sim.messages(user.chatId)[0]!.text).toContain('3 TRX');
  });

  it('muted categories are not sent; a reorg reversal (security) always is; language follows the settings', async () => {
    const user = await newUser('en', ['DEPOSITS']);
    const sender = newId('usr');
    await publishEvents(env.vars, [
      credited(user.userId, 'TON', '1000000000'),
      event('ledger.transaction.committed', {
        transactionId: newId('txn'),
        kind: 'TRANSFER',
        asset: 'USDT_TRON',
        amount: '2500000',
        fee: '0',
        reference: null,
        userIds: [sender, user.userId],
        balances: [],
      }),
    ]);
    await waitUntil('transfer sent', async () => sim.messages(user.chatId).length === 1);
    expect(sim.messages(user.chatId)[0]!.text).toMatch(/^You received 2\.5 USDT \(TRON\)\./);
    await waitUntil('deposit muted', async () =>
      (await rows('message', user.userId)).some((r) => r.kind === 'DEPOSIT_CREDITED' && r.status === 'MUTED'),
    );
    await publishEvents(env.vars, [
      event('identity.user.updated', {
        userId: user.userId,
        changed: ['settings'],
        language: 'fa',
        mutedNotifications: ['DEPOSITS', 'TRANSFERS'],
      }),
    ]);
    await waitUntil('settings', async () => (await rows('recipient', user.userId))[0]!.language === 'fa');
    await publishEvents(env.vars, [
      event('wallet.deposit.reorged', {
        depositId: newId('dep'),
        userId: user.userId,
        network: 'TON',
        asset: 'TON',
        amount: '1000000000',
        txHash: 'x',
        outputIndex: 0,
        status: 'REORGED',
        confirmEventId: null,
        transactionId: null,
      }),
    ]);
    await waitUntil('reorg sent', async () => sim.messages(user.chatId).length === 2);
    expect(sim.messages(user.chatId)[1]!.text).toContain('واریز برگشت خورد');
    expect(sim.messages(user.chatId)[1]!.text).toContain('۱ TON');
  });

  it('an event that arrives before its user is known waits for identity; a sender’s side of a transfer tells nobody', async () => {
    const userId = newId('usr');
    const chatId = String(nextTelegramId++);
    await publishEvents(env.vars, [
      event('support.ticket.replied', {
        ticketId: 'tkt_1',
        userId,
        messageId: 'msg_1',
        authorRole: 'STAFF',
        internal: false,
        reopened: false,
      }),
      event('support.ticket.replied', {
        ticketId: 'tkt_1',
        userId,
        messageId: 'msg_2',
        authorRole: 'USER',
        internal: false,
        reopened: false,
      }),
    ]);
    await waitUntil('queued', async () => (await rows('message', userId)).length === 1);
    await publishEvents(env.vars, [
      event('identity.user.created', { userId, telegramId: chatId, username: 'u', language: 'en' }),
    ]);
    await waitUntil('delivered', async () => sim.messages(chatId).length === 1, 15_000);
    expect(sim.messages(chatId)[0]!.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Read the answer', web_app: { url: 'https://app.example/app/#/support/tkt_1' } }]],
    });
  });
});
