import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { connect } from 'nats';
import { ledgerProcess } from '../platform/config/config.js';
import { dropDatabase, ensureDatabase } from '../platform/db/database.js';
import { openSubgraphDatabase } from '../platform/db/orm.js';
import { newId } from '../platform/ids.js';
import { createLogger } from '../platform/logger.js';
import { gql } from '../testing/graphql-client.js';
import { initDataFor, newTelegramUser } from '../testing/telegram.js';
import { TEST_BOT_TOKEN } from '../testing/test-env.js';
import { migrateAll } from '../scripts/migrate.js';
import { buildLedgerServices } from '../subgraphs/ledger/app.js';
import { accounts } from '../subgraphs/ledger/core/accounts.js';
import { draft } from '../subgraphs/ledger/core/ledger.types.js';
import { arg, machine, median, startService, stopAll, waitHealthy } from './harness.js';

/**
 * npm run bench:ledger [-- --clients 16 --duration 8 --rounds 3 --accounts 10000 --lanes 1]
 * On one PostgreSQL, with the same client count and duration for every row, in alternating rounds (so a
 * change in background load hits all rows alike; medians reported):
 *  (a) transfers/s among `accounts` users through the ledger service (TransferService, in this process),
 *  (b) transfers/s all from one hot account to random others, same service,
 *  (c) pgbench -b tpcb-like tps on a scratch database (scale = clients, so branches are not the bottleneck),
 *  (d) transfers/s through the gateway's `transfer` mutation (gateway, identity and ledger as processes).
 * Transfers/s count committed TRANSFER transactions in the database over the window.
 */
const clients = arg('clients', 16);
const duration = arg('duration', 8);
const rounds = arg('rounds', 3);
const accountCount = arg('accounts', 10_000);
const lanes = arg('lanes', 1);
const gatewayUsers = 64;

const run = promisify(execFile);
const env = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/custody_bench_ledger',
  DATABASE_POOL_MAX: String(clients),
  REDIS_KEY_PREFIX: 'bench-ledger:',
  NATS_STREAM: 'BENCH_LEDGER',
  NATS_SUBJECT_PREFIX: 'benchledger.',
  GATEWAY_PORT: '4700',
  GATEWAY_ADMIN_PORT: '0', // ephemeral: the bench reads no gateway metrics
  IDENTITY_PORT: '4701',
  WALLET_PORT: '4702',
  MARKET_PORT: '4703',
  LEDGER_PORT: '4704',
  JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
  TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
  RATE_LIMIT_VIEWER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
  LEDGER_LIMITS: '*:-:-',
  LEDGER_LEVEL_LIMITS: '1:USD:-:-:-', // the posting engine alone: level limits need market prices
  LEDGER_POSTING_LANES: String(lanes),
};
const PGBENCH_DB = 'custody_bench_pgbench';
const config = ledgerProcess.load(env);
const log = createLogger({ name: 'bench', level: 'warn' });

await dropDatabase(config.database.url);
await migrateAll(config, log);
const orm = await openSubgraphDatabase({
  schema: 'ledger',
  url: config.database.url,
  poolMax: clients,
  entities: [],
  migrations: [],
  log,
});
const services = buildLedgerServices({ config, orm, log });
const em = () => orm.em.fork();
const sql = <T>(text: string, params: unknown[] = []) => em().getConnection().execute<T[]>(text, params);

/** Users the ledger knows, each credited through real DEPOSIT postings (so verifyLedger stays meaningful). */
let seeds = 0;
async function seedUsers(ids: string[], perUser: bigint): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    await sql(
      `insert into ledger.user_directory (user_id, seen_at) select unnest(?::text[]), now() on conflict do nothing`,
      [`{${slice.join(',')}}`],
    );
    await Promise.all(
      slice.map((userId) =>
        services.ledger.poster.commit(
          draft({
            kind: 'DEPOSIT',
            asset: 'USDT_TON',
            amount: perUser,
            userId,
            reference: `seed:${++seeds}`,
            postings: [
              {
                source: accounts.custody('TON', 'USDT_TON'),
                destination: accounts.available(userId, 'USDT_TON'),
                asset: 'USDT_TON',
                amount: perUser,
              },
            ],
          }),
        ),
      ),
    );
  }
}

const users = Array.from({ length: accountCount }, () => newId('usr'));
const hot = users[0]!;
process.stdout.write(`seeding ${accountCount} accounts… `);
await seedUsers(users, 1_000_000_000n); // 1,000 USDT each
await seedUsers([hot], 10n ** 15n);
await sql('analyze');
process.stdout.write('done\n');

const transfersSoFar = async () =>
  Number(
    (await sql<{ n: string }>(`select count(*)::text as n from ledger.transaction where kind = 'TRANSFER'`))[0]!.n,
  );
let keys = 0;
const pick = () => users[1 + Math.floor(Math.random() * (users.length - 1))]!;

/** `clients` concurrent callers of the ledger service for `duration` seconds; committed transfers per second. */
async function serviceRun(from: () => string): Promise<number> {
  const before = await transfersSoFar();
  const end = Date.now() + duration * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const sender = from();
        let to = pick();
        while (to === sender) to = pick();
        await services.transfers.transfer(
          em(),
          { userId: sender, roles: ['USER'], claims: [], sessionId: null },
          { toUserId: to, asset: 'USDT_TON', amount: '0.01', idempotencyKey: `b${++keys}` },
        );
      }
    }),
  );
  return ((await transfersSoFar()) - before) / duration;
}

async function pgbench(): Promise<number> {
  const { stdout } = await run('pgbench', [
    '-n',
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '-b',
    'tpcb-like',
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(duration),
    PGBENCH_DB,
  ]);
  const tps = /tps = ([\d.]+)/.exec(stdout);
  if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
  return Number(tps[1]);
}

// (c)'s scratch database
await dropDatabase(`postgres://postgres@127.0.0.1:5432/${PGBENCH_DB}`);
await ensureDatabase(`postgres://postgres@127.0.0.1:5432/${PGBENCH_DB}`);
await run('pgbench', ['-i', '-q', '-s', String(clients), '-h', '127.0.0.1', '-U', 'postgres', PGBENCH_DB]);

// (d)'s processes: the gateway reaches identity (sign-in) and the ledger; users signed in, known and funded
const children = [startService('subgraphs/identity/main.ts', env), startService('subgraphs/ledger/main.ts', env)];
await Promise.all(['4701', '4704'].map((p) => waitHealthy(`http://127.0.0.1:${p}/health`)));
children.push(
  startService('gateway/main.ts', {
    ...env,
    SUBGRAPH_URLS: 'identity=http://127.0.0.1:4701/graphql,ledger=http://127.0.0.1:4704/graphql',
  }),
);
await waitHealthy('http://127.0.0.1:4700/health');

try {
  const signedIn: { token: string; id: string }[] = [];
  for (let i = 0; i < gatewayUsers; i++) {
    const res = await gql(
      'http://127.0.0.1:4700/graphql',
      'mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }',
      { d: initDataFor(newTelegramUser()) },
    );
    const { accessToken, user } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
    signedIn.push({ token: accessToken, id: user.id });
  }
  await seedUsers(
    signedIn.map((u) => u.id),
    1_000_000_000_000n,
  );
  await sql('analyze');

  const TRANSFER =
    'mutation($input: TransferInput!) { transfer(input: $input) { __typename ... on Transaction { id } } }';
  let gatewayKeys = 0;
  const gatewayRun = async (): Promise<number> => {
    const before = await transfersSoFar();
    const result = await autocannon({
      url: 'http://127.0.0.1:4700/graphql',
      connections: clients,
      duration,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            const from = signedIn[Math.floor(Math.random() * signedIn.length)]!;
            let to = signedIn[Math.floor(Math.random() * signedIn.length)]!;
            while (to === from) to = signedIn[Math.floor(Math.random() * signedIn.length)]!;
            return {
              ...req,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${from.token}` },
              body: JSON.stringify({
                query: TRANSFER,
                variables: {
                  input: { toUserId: to.id, asset: 'USDT_TON', amount: '0.01', idempotencyKey: `g${++gatewayKeys}` },
                },
              }),
            };
          },
        },
      ],
    });
    if (result.non2xx || result.errors) throw new Error(`gateway: ${result.non2xx} non-2xx, ${result.errors} errors`);
    await new Promise((r) => setTimeout(r, 200));
    return ((await transfersSoFar()) - before) / duration;
  };

  const rows = {
    a: {
      label: `(a) transfers/s among ${accountCount.toLocaleString('en')} accounts, ledger service`,
      run: () => serviceRun(pick),
      samples: [] as number[],
    },
    b: {
      label: '(b) transfers/s all from one hot account, ledger service',
      run: () => serviceRun(() => hot),
      samples: [] as number[],
    },
    c: { label: '(c) pgbench -b tpcb-like, tps', run: pgbench, samples: [] as number[] },
    d: { label: "(d) transfers/s through the gateway's transfer mutation", run: gatewayRun, samples: [] as number[] },
  };
  process.stdout.write('warm-up… ');
  for (const row of Object.values(rows)) await row.run(); // JIT, plans, pools
  process.stdout.write('done\n');
  for (let r = 1; r <= rounds; r++) {
    for (const row of Object.values(rows)) row.samples.push(await row.run());
    process.stdout.write(
      `round ${r}: ${Object.entries(rows)
        .map(([k, row]) => `${k} ${row.samples.at(-1)!.toFixed(0)}`)
        .join(', ')}\n`,
    );
  }
  const m = Object.fromEntries(Object.entries(rows).map(([k, row]) => [k, median(row.samples)])) as Record<
    keyof typeof rows,
    number
  >;

  const report = await services.admin.verify(em(), {
    userId: 'usr_bench',
    roles: ['FINANCE'],
    claims: [],
    sessionId: null,
  });
  console.log(
    `\nbench:ledger — ${clients} clients, ${lanes} posting lanes, ${duration} s per row, median of ${rounds} alternating rounds, ${machine()}\n`,
  );
  console.log('| row | per second |');
  console.log('|---|---:|');
  for (const [k, row] of Object.entries(rows)) console.log(`| ${row.label} | ${m[k as keyof typeof m].toFixed(0)} |`);
  console.log(
    `\n(a)/(c) = ${(m.a / m.c).toFixed(2)} (aim ≥ 0.70)   (b)/(c) = ${(m.b / m.c).toFixed(2)}   (b) = ${m.b.toFixed(0)}/s (aim ≥ 1,000)   (d)/(a) = ${(m.d / m.a).toFixed(2)}`,
  );
  console.log(
    `verifyLedger after the run: ok=${report.ok}, ${report.transactions.toLocaleString('en')} transactions, chain ${report.chainLength.toLocaleString('en')}, ${report.mismatches.length} mismatches`,
  );
  console.log(
    `samples: ${JSON.stringify(Object.fromEntries(Object.entries(rows).map(([k, row]) => [k, row.samples.map((s) => Math.round(s))])))}`,
  );
} finally {
  await stopAll(children);
  services.waker.stop();
  await orm.close(true);
  await dropDatabase(config.database.url);
  await dropDatabase(`postgres://postgres@127.0.0.1:5432/${PGBENCH_DB}`);
  const nc = await connect({ servers: config.nats.url });
  await (await nc.jetstreamManager()).streams.delete(config.nats.stream).catch(() => undefined);
  await nc.close();
}
process.exit(0);
