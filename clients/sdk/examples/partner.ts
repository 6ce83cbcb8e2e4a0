import WebSocket from 'ws';
import { createSdkClient } from '../client.js';
import {
  BalancesDocument,
  HistoryDocument,
  MeDocument,
  PriceUpdatedDocument,
  PricesDocument,
  SignInWithTelegramDocument,
  type BalancesQuery,
  type HistoryQuery,
  type MeQuery,
  type PriceUpdatedSubscription,
  type PricesQuery,
} from '../index.js';

/**
 * What a partner integration does with the SDK, end to end: sign in with Telegram initData, read the user's
 * balances, prices and history, and watch live prices for a few seconds. Every call is a typed document from
 * `clients/sdk/index.ts`.
 *
 *   npm start                       # the gateway on http://127.0.0.1:4000/graphql
 *   npm run sdk:example             # GATEWAY_URL, INIT_DATA (default: dev initData signed with the dev bot token),
 *                                   # WATCH_SECONDS (default 5)
 *
 * tests/contract/sdk-documents.e2e.test.ts runs `runPartnerExample` against the in-process stack.
 */
export interface PartnerExampleResult {
  me: MeQuery['me'];
  balances: BalancesQuery['balances'];
  prices: PricesQuery['prices'];
  history: HistoryQuery['me']['transactions']['edges'];
  live: PriceUpdatedSubscription['priceUpdated'][];
}

export async function runPartnerExample(options: {
  gatewayUrl: string;
  initData: string;
  watchMs: number;
  print?: (line: string) => void;
  /** Called once the live subscription is open (a test moves a price here). */
  onWatching?: () => Promise<void>;
}): Promise<PartnerExampleResult> {
  const say = options.print ?? ((line: string) => console.log(line));
  const anonymous = createSdkClient({ url: options.gatewayUrl });
  const session = (await anonymous.request(SignInWithTelegramDocument, { initData: options.initData }))
    .signInWithTelegram;
  say(`signed in as ${session.user.username ?? session.user.id} (level ${session.user.level})`);

  const api = createSdkClient({ url: options.gatewayUrl, token: session.accessToken, webSocketImpl: WebSocket });
  const { me } = await api.request(MeDocument, {});
  const { balances } = await api.request(BalancesDocument, {});
  const held = balances.filter((b) => b.total !== '0');
  for (const b of held) say(`balance ${b.asset.symbol}: ${b.available} available, ${b.held} held`);
  if (!held.length) say('no money yet');

  const { prices } = await api.request(PricesDocument, { symbols: ['TON', 'USDT_TRON', 'ETH'], quote: 'USD' });
  for (const p of prices) if (p) say(`price ${p.symbol}: ${p.value} ${p.quote} (${p.sourceCount} sources)`);

  const history = (await api.request(HistoryDocument, { first: 5 })).me.transactions.edges;
  for (const { node } of history) say(`history ${node.createdAt} ${node.kind} ${node.amount} ${node.asset.symbol}`);
  if (!history.length) say('no transactions yet');

  const live: PriceUpdatedSubscription['priceUpdated'][] = [];
  const stop = api.subscribe(PriceUpdatedDocument, { symbols: ['TON', 'ETH'], quote: 'USD' }, (data) => {
    live.push(data.priceUpdated);
    say(`live ${data.priceUpdated.symbol}: ${data.priceUpdated.value} ${data.priceUpdated.quote}`);
  });
  say(`watching TON and ETH in USD for ${options.watchMs / 1000} s`);
  await new Promise((r) => setTimeout(r, 300)); // graphql-ws has no "subscribed" acknowledgement
  await options.onWatching?.();
  await new Promise((r) => setTimeout(r, options.watchMs));
  await stop();
  say(`${live.length} live update(s)`);
  return { me, balances, prices, history, live };
}

async function devInitData(): Promise<string> {
  const { devInitDataProcess, loadOrExit } = await import('../../../platform/config/config.js');
  const { signInitData } = await import('../../../subgraphs/identity/auth/telegram-init-data.js');
  const config = loadOrExit(devInitDataProcess);
  if (config.env === 'production') throw new Error('set INIT_DATA: dev initData is refused in production');
  const id = 100_000_042;
  return signInitData(config.telegram.botToken, {
    query_id: `AAH${id}-${Date.now()}`,
    user: JSON.stringify({ id, first_name: 'Partner', username: 'partner_example', language_code: 'en' }),
    auth_date: String(Math.floor(Date.now() / 1000)),
  });
}

if (process.argv[1]?.endsWith('partner.ts')) {
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql';
  try {
    await runPartnerExample({
      gatewayUrl,
      initData: process.env.INIT_DATA ?? (await devInitData()),
      watchMs: Number(process.env.WATCH_SECONDS ?? 5) * 1000,
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    console.error(`${error instanceof Error ? error.message : String(error)}${cause} — is the gateway up at ${gatewayUrl}? (npm start)`);
    process.exit(1);
  }
}
