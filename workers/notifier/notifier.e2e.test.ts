import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvmSender } from '../../devnet/evm/evm-sender.js';
import { deployTestToken, startLocalEvmChain, type LocalEvmChain } from '../../devnet/evm/local-chain.js';
import { startTelegramSimulator, type TelegramSimulator } from '../../devnet/telegram/telegram.simulator.js';
import type { Env } from '../../platform/config/config.js';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { startChainWatcherWorker, type RunningChainWatcher } from '../chain-watchers/core/watcher.worker.js';
import { waitFor } from './testing/bus.js';

/**
 * A devnet deposit to a Persian-speaking user, end to end: local EVM chain → ETH watcher → wallet → relay →
 * JetStream → the notifier as its own process (`workers/notifier/main.ts`, spawned here) → the Bot API simulator.
 * The notifier is SIGKILLed after queueing the first message (its event not acked yet) and again right after
 * Telegram accepted that message (before it recorded it), Telegram answers 429 three times, and the user muted
 * transfers (not deposits) through `updateSettings`: the user still gets exactly one "detected" and one "credited"
 * message, in Persian, with the right amount.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ETH = 10n ** 18n;

let chain: LocalEvmChain;
let stack: TestStack;
let sim: TelegramSimulator;
let watcher: RunningChainWatcher;
let evm: EvmSender;
const children: ChildProcess[] = [];

function notifier(extra: Env = {}): { child: ChildProcess; exited: Promise<string | null> } {
  // node itself (not the tsx wrapper), so the crash point's SIGKILL is what the test sees
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/notifier/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...stack.vars,
      ENV_FILE: 'none',
      TELEGRAM_API_URL: sim.url,
      NOTIFIER_PORT: '0',
      NOTIFIER_POLL_MS: '100',
      ...extra,
    } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<string | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code) process.stderr.write(stderr);
      resolve(signal ?? String(code));
    }),
  );
  return { child, exited };
}

async function mineUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await evm.mine(1);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function messageRows(): Promise<{ kind: string; status: string; in_flight_at: Date | null }[]> {
  const em = stack.subgraphs.get('wallet')!.deps.orm.em.fork();
  return em.getConnection().execute(`select kind, status, in_flight_at from notifier.message order by created_at`);
}

beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 1337 });
  const token = await deployTestToken(chain.rpcUrl, chain.accounts[0]!.privateKey);
  evm = new EvmSender(chain.rpcUrl, chain.accounts[1]!.privateKey);
  sim = await startTelegramSimulator();
  stack = await startStack({
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_USDT_CONTRACT: token,
    CHAIN_ETH_CONFIRMATIONS: '2',
    CHAIN_ETH_POLL_MS: '100',
    CHAIN_WATCHER_PORT: '0',
  });
  watcher = await startChainWatcherWorker(stack.config, stack.log, 'ETH', { port: 0 });
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await watcher?.close().catch(() => undefined);
  await stack?.close();
  await sim?.close();
  await chain?.stop();
});

describe('notifier end to end', () => {
  it('a devnet deposit: exactly one message per step in the user’s language, through two kills and a 429 flood', async () => {
    const tg = newTelegramUser({ language_code: 'en' });
    const signIn = await gql(
      stack.graphqlUrl,
      `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
      { d: initDataFor(tg) },
    );
    const token = signIn.body.data!.signInWithTelegram.accessToken as string;
    const settings = await gql(
      stack.graphqlUrl,
      `mutation { updateSettings(input: { language: FA, mutedNotifications: [TRANSFERS] }) { settings { language mutedNotifications } } }`,
      {},
      token,
    );
    expect(settings.body.errors).toBeUndefined();
    expect(settings.body.data!.updateSettings.settings).toEqual({ language: 'FA', mutedNotifications: ['TRANSFERS'] });
    const addr = await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, token);
    const address = addr.body.data!.me.depositAddress.address as string;
    const chatId = String(tg.id);

    // 1st process: dies right after committing the first message row, before acking its event
    const first = notifier({ NOTIFIER_CRASH_AT: 'after-queue' });
    await evm.sendNative(address, (3n * ETH) / 2n);
    expect(await first.exited).toBe('SIGKILL');
    expect(sim.attempts()).toEqual([]);

    // 2nd process: Telegram refuses three times (429, retry_after 1 s), then it dies once Telegram took the message
    sim.flood(3, 1);
    const second = notifier({ NOTIFIER_CRASH_AT: 'after-send' });
    expect(await second.exited).toBe('SIGKILL');
    expect(sim.attempts().map((a) => a.status)).toEqual([429, 429, 429, 200]);

    // 3rd process: runs on; the deposit confirms and is credited
    const third = notifier();
    await mineUntil('credited message', () => sim.messages(chatId).length >= 2);
    await waitFor('credited marked sent', async () => (await messageRows()).some((r) => r.status === 'SENT'));
    await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up, were there one

    const texts = sim.messages(chatId).map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('واریز در راه است: ۱٫۵ ETH');
    expect(texts[1]).toContain('واریز تأیید شد: ۱٫۵ ETH');
    expect(texts.join('')).not.toMatch(/[0-9]/);
    expect(sim.messages(chatId)[1]!.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'مشاهده تاریخچه', web_app: { url: 'http://127.0.0.1:4000/app/#/history' } }]],
    });
    // the message Telegram took just before the kill stays "in flight" (then UNCERTAIN), never sent again
    const rows = await messageRows();
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ['DEPOSIT_DETECTED', 'PENDING'],
      ['DEPOSIT_CREDITED', 'SENT'],
    ]);
    expect(rows[0]!.in_flight_at).not.toBeNull();

    third.child.kill('SIGTERM');
    expect(await third.exited).toBe('0');
  }, 180_000);
});
