import { makeEvent } from '../platform/bus/envelope.js';
import type { TestStack } from './stack.js';

/**
 * What the price feed does, for tests that need the ledger to value money (its level limits): publishes
 * `market.price.updated { coin, quote, value, updatedAt }` on core NATS from the market subgraph's own connection
 * (the only one allowed to), then waits until the ledger stored it. `coin` TON, USDT, TRX, ETH or BNB; `quote`
 * USD or IRT; `value` a decimal string.
 */
export async function publishMarketPrice(
  stack: TestStack,
  coin: string,
  quote: string,
  value: string,
  observedAt = new Date(),
): Promise<void> {
  const market = stack.subgraphs.get('market')!.deps;
  const subject = 'market.price.updated';
  const event = makeEvent(subject, 'market', {
    coin,
    quote,
    value,
    change24h: null,
    sourceCount: 1,
    updatedAt: observedAt.toISOString(),
  });
  market.nats.publish(market.config.nats.subjectPrefix + subject, JSON.stringify(event));
  await market.nats.flush();
  const ledgerDb = stack.subgraphs.get('ledger')!.deps.orm;
  const end = Date.now() + 10_000;
  for (;;) {
    const rows = await ledgerDb.em
      .fork()
      .getConnection()
      .execute<{ observed_at: string | Date }[]>('select observed_at from ledger.price where coin = ? and quote = ?', [
        coin,
        quote,
      ]);
    if (rows[0] && new Date(rows[0].observed_at).getTime() >= observedAt.getTime()) return;
    if (Date.now() > end) throw new Error(`the ledger did not receive ${coin}/${quote} ${value}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
