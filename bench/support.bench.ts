import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { startDevS3 } from '../devnet/s3/s3-server.js';
import { startTelegramSimulator } from '../devnet/telegram/telegram.simulator.js';
import { createS3ObjectStore } from '../platform/storage/s3.object-store.js';
import { gql } from '../testing/graphql-client.js';
import { startStack } from '../testing/stack.js';
import { signInStaff } from '../testing/viewers.js';
import { arg, machine } from './harness.js';
import { measure, must, signInTelegramUser } from './gateway-load.js';

/**
 * npm run bench:support [-- --tickets 100000 --users 20 --replies 20 --probes 300]
 * In one run, through the gateway of an in-process stack (real Postgres, Redis, NATS, the devnet S3 server and the
 * Telegram simulator, staff alerts on): ticket replies per second (`users` users in parallel, each replying to its
 * own ticket `replies` times; every reply also queues a staff alert), the staff queue's p99 (`ticketQueue(first: 20)`
 * waiting on staff, longest first, and filtered by category, newest first) with `tickets` tickets seeded, and the
 * same figures of a trivial gateway query (`levelRules`) as the yardstick; prints the ratios.
 */
const tickets = arg('tickets', 100_000);
const users = arg('users', 20);
const replies = arg('replies', 20);
const probes = arg('probes', 300);

const dir = `.tmp/bench-support-s3-${process.pid}`;
const s3 = await startDevS3({ port: 0, dir });
const bucket = 'bench-support';
const options = {
  endpoint: s3.url,
  region: 'us-east-1',
  bucket,
  accessKeyId: 'devnet-s3-access-key',
  secretAccessKey: 'devnet-s3-secret-key-change-me-0123456789',
  forcePathStyle: true,
};
const store = createS3ObjectStore(options);
await store.ensureBucket();
const telegram = await startTelegramSimulator();
const stack = await startStack({
  S3_DEVNET: 'false',
  S3_ENDPOINT: s3.url,
  S3_BUCKET: bucket,
  S3_ACCESS_KEY_ID: options.accessKeyId,
  S3_SECRET_ACCESS_KEY: options.secretAccessKey,
  TELEGRAM_API_URL: telegram.url,
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
});
const supportSql = (text: string, params: unknown[] = []) =>
  stack.subgraphs.get('support')!.deps.orm.em.fork().getConnection().execute(text, params);

const signIn = () => signInTelegramUser(stack.graphqlUrl);

try {
  // The seed: `tickets` tickets of 5,000 users over the last `tickets` seconds, a fifth in each status, one
  // message each; then ANALYZE, so the planner sees the real sizes.
  const seeded = performance.now();
  await supportSql(`insert into support.ticket (id, user_id, subject, category, status, created_at, updated_at,
      waiting_since, first_response_at, resolved_at, closed_at)
    select 'tkt_' || lpad(to_hex(g), 26, '0'), 'usr_' || lpad(to_hex(g % 5000), 26, '0'), 'seeded ticket ' || g,
      (array['GENERAL','ACCOUNT','KYC','DEPOSIT','WITHDRAWAL','TRADING','PAYMENT','VOUCHER'])[1 + g % 8],
      (array['OPEN','WAITING_ON_STAFF','WAITING_ON_USER','RESOLVED','CLOSED'])[1 + g % 5],
      t, t,
      case when g % 5 in (0, 1) then t end,
      case when g % 5 >= 1 then t + interval '10 minutes' end,
      case when g % 5 = 3 then t + interval '1 hour' end,
      case when g % 5 = 4 then t + interval '2 hours' end
    from generate_series(1, ${tickets}) g, lateral (select now() - make_interval(secs => g) as t) times`);
  await supportSql(`insert into support.ticket_message (id, ticket_id, author_id, author_role, body, created_at)
    select 'tmsg_' || substr(id, 5), id, user_id, 'USER', 'seeded body of ' || subject, created_at from support.ticket`);
  await supportSql(`analyze support.ticket`);
  await supportSql(`analyze support.ticket_message`);
  const seedSeconds = (performance.now() - seeded) / 1000;

  const people = await Promise.all(Array.from({ length: users }, () => signIn()));
  const staff = await signInStaff(stack, ['SUPPORT']);
  const trivial = async () =>
    must(await gql(stack.graphqlUrl, `{ levelRules { level } }`, {}, people[0]!.token), 'levelRules');
  await measure(50, users, trivial); // warm-up
  const base = await measure(probes, users, trivial);

  const own: string[] = [];
  for (const p of people) {
    const res = await gql(
      stack.graphqlUrl,
      `mutation($i: OpenTicketInput!) { openTicket(input: $i) { id } }`,
      { i: { subject: 'bench', body: 'first message' } },
      p.token,
    );
    must(res, 'openTicket');
    own.push(res.body.data!.openTicket.id as string);
  }
  // Each worker is one user replying to its own ticket.
  const reply = await measure(users * replies, users, async (i, worker) =>
    must(
      await gql(
        stack.graphqlUrl,
        `mutation($t: ID!, $b: String!) { replyToTicket(ticketId: $t, body: $b) { id } }`,
        { t: own[worker], b: `reply ${i}: the deposit still shows as pending` },
        people[worker]!.token,
      ),
      'replyToTicket',
    ),
  );

  const QUEUE = `query($f: TicketQueueFilter) { ticketQueue(filter: $f, first: 20) { edges { cursor node { id subject status category createdAt } } pageInfo { hasNextPage endCursor } } }`;
  const staffParallel = 10;
  await measure(50, staffParallel, async () => must(await gql(stack.graphqlUrl, QUEUE, {}, staff.token), 'queue'));
  const waiting = await measure(probes, staffParallel, async () =>
    must(await gql(stack.graphqlUrl, QUEUE, {}, staff.token), 'ticketQueue'),
  );
  const filtered = await measure(probes, staffParallel, async (i) =>
    must(
      await gql(
        stack.graphqlUrl,
        QUEUE,
        { f: { waitingOnStaff: false, category: ['DEPOSIT', 'WITHDRAWAL', 'PAYMENT'][i % 3] } },
        staff.token,
      ),
      'ticketQueue filtered',
    ),
  );
  // the trivial query again, at the staff side's parallelism, for the queue ratios
  const baseStaff = await measure(probes, staffParallel, trivial);

  const f = (n: number) => n.toFixed(1);
  console.log(`bench:support — ${machine()}; ${tickets} tickets seeded in ${f(seedSeconds)} s`);
  console.log(
    `trivial query (levelRules), ${users} parallel: ${f(base.perSecond)}/s, p50 ${f(base.p50)} ms, p99 ${f(base.p99)} ms`,
  );
  console.log(
    `replyToTicket, ${users} users in parallel: ${f(reply.perSecond)}/s, p50 ${f(reply.p50)} ms, p99 ${f(reply.p99)} ms; ` +
      `${(reply.perSecond / base.perSecond).toFixed(3)}× the trivial query's rate`,
  );
  console.log(
    `trivial query (levelRules), ${staffParallel} parallel: ${f(baseStaff.perSecond)}/s, p50 ${f(baseStaff.p50)} ms, p99 ${f(baseStaff.p99)} ms`,
  );
  console.log(
    `ticketQueue waiting on staff (first 20), ${staffParallel} parallel: p50 ${f(waiting.p50)} ms, p99 ${f(waiting.p99)} ms; ` +
      `${(waiting.p99 / baseStaff.p99).toFixed(2)}× the trivial query's p99`,
  );
  console.log(
    `ticketQueue by category, newest first (first 20): p50 ${f(filtered.p50)} ms, p99 ${f(filtered.p99)} ms; ` +
      `${(filtered.p99 / baseStaff.p99).toFixed(2)}× the trivial query's p99`,
  );
} finally {
  await stack.close();
  await telegram.close();
  store.close();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
}
