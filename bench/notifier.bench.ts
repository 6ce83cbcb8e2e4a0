import 'reflect-metadata';
import { startTelegramSimulator } from '../devnet/telegram/telegram.simulator.js';
import type { EventEnvelope } from '../platform/bus/envelope.js';
import { notifierProcess } from '../platform/config/config.js';
import { newId } from '../platform/ids.js';
import { createLogger } from '../platform/logger.js';
import { createTestEnv } from '../testing/test-env.js';
import { TEST_BOT_TOKEN } from '../testing/test-env.js';
import { startNotifier } from '../workers/notifier/notifier.worker.js';
import { event, publishEvents, waitFor } from '../workers/notifier/testing/bus.js';
import { arg, machine, percentile } from './harness.js';

/**
 * npm run bench:notifier [-- --chats 200 --per-chat 5 --lanes 64 --global 1000]
 * In one run, on real Postgres and NATS with the Bot API simulator: `chats` users each get `per-chat` deposit
 * notifications (JetStream → notifier consumer → notifier.message → send lanes → sendMessage), Telegram's per-chat
 * pacing on (1 s between two messages to one chat), the overall budget `global`/s. Measured: notifications per second
 * and the event → accepted-by-Telegram p50/p99; the baseline is raw sendMessage calls to the same simulator (same
 * count, `lanes` in parallel, no pipeline, no pacing). Prints the ratios and the smallest gap seen within one chat.
 */
const chats = arg('chats', 200);
const perChat = arg('per-chat', 5);
const lanes = arg('lanes', 64);
const global = arg('global', 1000);
const total = chats * perChat;

const env = await createTestEnv({ LOG_LEVEL: 'silent' });
const sim = await startTelegramSimulator();
const log = createLogger({ name: 'bench', level: 'silent' });
try {
  // baseline: the same number of plain sendMessage calls, `lanes` at once
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        const res = await fetch(`${sim.url}/bot${TEST_BOT_TOKEN}/sendMessage`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chat_id: 10_000 + (i % chats), text: `baseline ${i}` }),
        });
        await res.text();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const baseSeconds = (performance.now() - started) / 1000;
  const base = { perSecond: total / baseSeconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  sim.reset();

  const notifier = await startNotifier(
    notifierProcess.load({
      ...env.vars,
      TELEGRAM_API_URL: sim.url,
      NOTIFIER_SEND_LANES: String(lanes),
      NOTIFIER_MESSAGES_PER_SECOND: String(global),
      NOTIFIER_POLL_MS: '100',
    }),
    log,
    0,
  );
  try {
    const users = Array.from({ length: chats }, (_, i) => ({ userId: newId('usr'), chatId: String(20_000 + i) }));
    await publishEvents(
      env.vars,
      users.map((u) =>
        event('identity.user.created', {
          userId: u.userId,
          telegramId: u.chatId,
          username: null,
          language: 'fa',
          mutedNotifications: [],
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 2000)); // recipients projected before the measured events
    const events: EventEnvelope[] = [];
    for (let round = 0; round < perChat; round++)
      for (const u of users)
        events.push(
          event<Record<string, unknown>>('wallet.deposit.credited', {
            depositId: newId('dep'),
            userId: u.userId,
            network: 'BSC',
            asset: 'USDT_BSC',
            amount: String(10n ** 18n * BigInt(round + 1)),
            txHash: '0x',
            outputIndex: 0,
            status: 'CREDITED',
            transactionId: newId('txn'),
          }),
        );
    const occurred = new Map<string, number>();
    const t0 = performance.now();
    const t0Wall = Date.now();
    for (const e of events) e.occurredAt = new Date().toISOString();
    await publishEvents(env.vars, events);
    for (const e of events) occurred.set(e.id, Date.parse(e.occurredAt));
    await waitFor('every notification', () => sim.messages().length >= total, 600_000);
    const seconds = (performance.now() - t0) / 1000;
    const messages = sim.messages();
    // event → message: each chat's k-th message belongs to its k-th event (per-chat order)
    const byChat = new Map<string, number[]>();
    for (const m of messages) byChat.set(m.chat_id, [...(byChat.get(m.chat_id) ?? []), m.at]);
    const lag: number[] = [];
    let minGap = Infinity;
    users.forEach((u, ui) => {
      const ats = byChat.get(u.chatId) ?? [];
      ats.forEach((at, k) => {
        lag.push(at - occurred.get(events[k * chats + ui]!.id)!);
        if (k > 0) minGap = Math.min(minGap, at - ats[k - 1]!);
      });
    });
    const pipe = { perSecond: total / seconds, p50: percentile(lag, 50), p99: percentile(lag, 99) };
    const f = (n: number) => n.toFixed(1);
    console.log(`bench:notifier — ${machine()}; published at ${new Date(t0Wall).toISOString()}`);
    console.log(
      `baseline: ${total} raw sendMessage calls, ${lanes} in parallel: ${f(base.perSecond)}/s, p50 ${f(base.p50)} ms, p99 ${f(base.p99)} ms`,
    );
    console.log(
      `notifier: ${total} deposits (${chats} chats × ${perChat}), per-chat gap 1 s, ${global}/s overall, ${lanes} lanes: ` +
        `${f(pipe.perSecond)} notifications/s (${(pipe.perSecond / base.perSecond).toFixed(3)}× baseline); ` +
        `event → message p50 ${f(pipe.p50)} ms, p99 ${f(pipe.p99)} ms (${(pipe.p99 / base.p99).toFixed(1)}× a raw call's p99); ` +
        `smallest gap within one chat ${f(minGap)} ms; ideal time with pacing ≥ ${perChat - 1} s`,
    );
    if (messages.length !== total) throw new Error(`expected ${total} messages, got ${messages.length}`);
  } finally {
    await notifier.close();
  }
} finally {
  await sim.close();
  await env.cleanup();
}
process.exit(0);
