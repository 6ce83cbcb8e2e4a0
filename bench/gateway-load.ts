import { gql } from '../testing/graphql-client.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { percentile } from './harness.js';

/** Pieces the benchmarks that drive the gateway share: sign-ins, checked calls, a parallel measuring loop. */

/** A fresh Telegram user signed in through the gateway. */
export async function signInTelegramUser(graphqlUrl: string): Promise<{ token: string; userId: string }> {
  const res = await gql(
    graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const p = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  return { token: p.accessToken, userId: p.user.id };
}

/** Throws when a GraphQL answer carries errors, naming what was being done. */
export function must(res: Awaited<ReturnType<typeof gql>>, what: string): void {
  if (res.body.errors) throw new Error(`${what}: ${JSON.stringify(res.body.errors)}`);
}

/** `n` calls of `one`, `parallel` at a time: latencies in ms and calls per second. */
export async function measure(n: number, parallel: number, one: (i: number, worker: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async (_, worker) => {
      for (let i = next++; i < n; i = next++) {
        const t = performance.now();
        await one(i, worker);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: n / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
