import { tracing } from '../../testing/tracing-on.js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EvmSender } from '../../devnet/evm/evm-sender.js';
import { startLocalEvmChain, type LocalEvmChain } from '../../devnet/evm/local-chain.js';
import { gql } from '../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { until } from '../../testing/until.js';
import { startChainWatcherWorker, type RunningChainWatcher } from '../../workers/chain-watchers/core/watcher.worker.js';

/**
 * One deposit, one trace: the watcher's batch that confirms it → the wallet's outbox → the relay's publish → the
 * ledger's consumer (the credit) → the ledger's outbox → the relay → the gateway's delivery → the push to the
 * subscriber. Everything runs in this process (the in-process stack, a watcher, a local EVM chain), so the in-memory
 * exporter sees every service's spans.
 */

const ETH = 10n ** 18n;

let chain: LocalEvmChain;
let stack: TestStack;
let watcher: RunningChainWatcher;
let socket: Client;

beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 1337 });
  stack = await startStack({
    CHAIN_ETH_RPC_URL: chain.rpcUrl,
    CHAIN_ETH_CONFIRMATIONS: '1',
    CHAIN_ETH_POLL_MS: '100',
    CHAIN_WATCHER_PORT: '0',
  });
  watcher = await startChainWatcherWorker(stack.config, stack.log, 'ETH', { port: 0 });
});

afterAll(async () => {
  await socket?.dispose();
  await watcher?.close().catch(() => undefined);
  await stack?.close();
  await chain?.stop();
  await tracing.stop();
});

describe('a deposit is one trace', () => {
  it('watcher → relay → ledger consumer → relay → gateway push, each span a descendant of the one before', async () => {
    const signIn = await gql(
      stack.graphqlUrl,
      `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
      { d: initDataFor(newTelegramUser()) },
    );
    const token = signIn.body.data!.signInWithTelegram.accessToken as string;
    const addr = await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, token);
    const address = addr.body.data!.me.depositAddress.address as string;

    socket = createClient({
      url: stack.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const pushes: { data?: { balanceUpdated: { asset: { symbol: string }; available: string }[] } }[] = [];
    socket.subscribe(
      { query: 'subscription { balanceUpdated { asset { symbol } available } }' },
      {
        next: (v) => void pushes.push(v as (typeof pushes)[number]),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await new Promise((r) => setTimeout(r, 400));

    const evm = new EvmSender(chain.rpcUrl, chain.accounts[1]!.privateKey);
    await evm.sendNative(address, ETH / 2n);
    await until(
      'the credited balance pushed to the subscriber',
      async () => {
        await evm.mine(1);
        return pushes;
      },
      (p) => p.some((push) => push.data?.balanceUpdated.some((b) => b.asset.symbol === 'ETH' && b.available !== '0')),
      30_000,
    );

    // The push of the balance: its ancestry must reach back to the watcher through every hop.
    const push = await until(
      'the push span of the credited balance',
      () =>
        tracing
          .spans()
          .filter(
            (s) =>
              s.name.startsWith('push ') && tracing.ancestry(s).some((n) => n.includes('ledger.transaction.committed')),
          ),
      (spans) => spans.length > 0,
    );
    const chainOfPush = tracing.ancestry(push[0]!);
    const hops = [
      /^watch ETH blocks$/,
      /^publish .*wallet\.deposit\.confirmed$/,
      /^process wallet\.deposit\.confirmed$/,
      /^publish .*ledger\.transaction\.committed$/,
      /^deliver .*ledger\.transaction\.committed$/,
      /^push /,
    ];
    const positions = hops.map((hop) => chainOfPush.findIndex((name) => hop.test(name)));
    expect(
      positions.every((p) => p >= 0),
      chainOfPush.join(' > '),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // The watcher's batch is the root: one trace from the chain to the socket.
    expect(positions[0]).toBe(0);
    const trace: ReadableSpan[] = tracing.trace(push[0]!.spanContext().traceId);
    // The ledger's credit (its SQL, instrumentation-pg) and the follow-up query through the gateway are in it too.
    const credit = trace.find((s) => /^process wallet\.deposit\.confirmed$/.test(s.name))!;
    expect(trace.some((s) => s.name.startsWith('pg.query') && tracing.ancestry(s).includes(credit.name))).toBe(true);
    expect(
      trace.some((s) => s.name === 'subgraph ledger' && tracing.ancestry(s).some((n) => n.startsWith('push '))),
    ).toBe(true);
  });
});
