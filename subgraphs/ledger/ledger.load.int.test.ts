import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLedgerFixture, type LedgerFixture } from './testing/ledger-fixture.js';
import { runWorker, type LoadPlan, type Outcome } from './testing/transfer-load.js';

/**
 * 10,000 random transfers among 8 users from 50 concurrent workers, each transfer one request (one round
 * trip), twice: all workers in this process, then 5 of them in a separate process that is killed with
 * SIGKILL mid-way and started again (it replays its keys from the first). Afterwards: no drift (cached
 * balances = Σ postings), Σ per asset = 0, no negative balance, the hash chain whole (verifyLedger clean),
 * money conserved, and exactly one effect per idempotency key.
 */
const USERS = 8;
const WORKERS = 50;
const TRANSFERS = 10_000;
const ASSETS = ['TON', 'USDT_TON'];
const FUNDING = { TON: 300_000_000_000n, USDT_TON: 300_000_000n }; // 300 of each per user: balances run dry and refill

let f: LedgerFixture;
beforeAll(async () => {
  f = await startLedgerFixture({ LEDGER_LIMITS: '*:-:-', DATABASE_POOL_MAX: '12' });
});
afterAll(async () => {
  await f?.close();
});

async function newPlan(prefix: string, seed: number): Promise<LoadPlan> {
  const users = await Promise.all(Array.from({ length: USERS }, () => f.addUser()));
  for (const u of users) for (const asset of ASSETS) await f.deposit(u, asset, FUNDING[asset as keyof typeof FUNDING]);
  return { users, assets: ASSETS, prefix, seed, perWorker: TRANSFERS / WORKERS };
}

/** Everything the run must leave true. */
async function expectConsistent(plan: LoadPlan, outcomes: Record<Outcome, number>) {
  expect(outcomes.Transaction + outcomes.InsufficientFunds).toBe(TRANSFERS);
  expect(outcomes.Transaction).toBeGreaterThan(TRANSFERS / 2);

  const report = await f.verify();
  expect(report.mismatches).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.unsealed).toBe(0);

  // one idempotency record per key, and exactly one transaction per committed key
  const [keys] = await f.sql<{
    keys: string;
    committed: string;
    refused: string;
    transactions: string;
    linked: string;
  }>(
    `select count(*) as keys,
            count(*) filter (where outcome = 'COMMITTED') as committed,
            count(*) filter (where outcome = 'INSUFFICIENT_FUNDS') as refused,
            (select count(*) from ledger.transaction t where t.kind = 'TRANSFER' and t.user_id = any(?::text[])) as transactions,
            count(t.id) as linked
     from ledger.idempotency i left join ledger.transaction t on t.id = i.transaction_id
     where i.key like ?`,
    [`{${plan.users.join(',')}}`, `${plan.prefix}-%`],
  );
  expect(keys).toEqual({
    keys: String(TRANSFERS),
    committed: String(outcomes.Transaction),
    refused: String(outcomes.InsufficientFunds),
    transactions: String(outcomes.Transaction),
    linked: String(outcomes.Transaction),
  });

  // money is conserved: what the users hold plus the fees they paid is what was deposited
  for (const asset of ASSETS) {
    const balances = await f.services.balances.ofUsers(f.em(), plan.users, [asset]);
    const held = plan.users.reduce((sum, u) => sum + balances.get(u)![0]!.available + balances.get(u)![0]!.held, 0n);
    const [fees] = await f.sql<{ fees: string }>(
      `select coalesce(sum(fee), 0)::text as fees from ledger.transaction where kind = 'TRANSFER' and asset = ? and user_id = any(?::text[])`,
      [asset, `{${plan.users.join(',')}}`],
    );
    expect(held + BigInt(fees!.fees)).toBe(BigInt(USERS) * FUNDING[asset as keyof typeof FUNDING]);
    for (const u of plan.users) expect(balances.get(u)![0]!.available).toBeGreaterThanOrEqual(0n);
  }
}

/** verifyLedger again and again while `work` runs: every report taken mid-load must be clean too. */
async function verifiedDuring<T>(work: Promise<T>): Promise<T> {
  let finished = false;
  const reports: { ok: boolean; transactions: number }[] = [];
  const verifying = (async () => {
    while (!finished) {
      const report = await f.verify();
      reports.push(report);
      if (!report.ok) throw new Error(`verifyLedger mid-load: ${JSON.stringify(report.mismatches.slice(0, 3))}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  try {
    return await work;
  } finally {
    finished = true;
    await verifying;
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.at(-1)!.transactions).toBeGreaterThan(reports[0]!.transactions);
  }
}

function add(into: Record<Outcome, number>, from: Record<Outcome, number>) {
  for (const k of Object.keys(from) as Outcome[]) into[k] += from[k];
}

describe('10,000 random transfers among 8 users from 50 concurrent workers', () => {
  it('leaves no drift, Σ per asset = 0, no negative balance, a clean verifyLedger and one effect per key', async () => {
    const plan = await newPlan('load1', 1);
    const outcomes: Record<Outcome, number> = {
      Transaction: 0,
      InsufficientFunds: 0,
      LimitExceeded: 0,
      RecipientNotFound: 0,
    };
    const started = Date.now();
    const results = await verifiedDuring(
      Promise.all(Array.from({ length: WORKERS }, (_, w) => runWorker(f.services.transfers, f.em, plan, w))),
    );
    results.forEach((r) => add(outcomes, r));
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `10,000 transfers in ${seconds.toFixed(1)} s (${Math.round(TRANSFERS / seconds)}/s): ${JSON.stringify(outcomes)}`,
    );
    await expectConsistent(plan, outcomes);
  }, 180_000);

  it('the same while a worker process is killed mid-way and restarted: every key still has exactly one effect', async () => {
    const plan = await newPlan('load2', 2);
    const remote = [45, 46, 47, 48, 49];
    const outcomes: Record<Outcome, number> = {
      Transaction: 0,
      InsufficientFunds: 0,
      LimitExceeded: 0,
      RecipientNotFound: 0,
    };
    const beforeKill = new Map<string, string>();
    const afterRestart = new Map<string, string>();

    const startChild = (record: Map<string, string>, killAfter: number | null) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; done: number }>((resolve) => {
        const child: ChildProcess = spawn(
          process.execPath,
          ['--import', 'tsx', 'subgraphs/ledger/testing/transfer-worker.ts'],
          {
            env: {
              ...process.env,
              NODE_ENV: 'test',
              LOG_LEVEL: 'warn',
              DATABASE_URL: f.env.config.database.url,
              DATABASE_POOL_MAX: '6',
              LEDGER_FEES: '*:0:10',
              LEDGER_LIMITS: '*:-:-',
              LEDGER_LEVEL_LIMITS: '1:USD:-:-:-',
              LEDGER_LOAD_PLAN: JSON.stringify(plan),
              LEDGER_LOAD_WORKERS: remote.join(','),
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let done = 0;
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const [word, w, i, outcome] = line.split(' ');
          if (word !== 'done') return;
          record.set(`${w}-${i}`, outcome!);
          if (++done === killAfter) child.kill('SIGKILL');
        });
        child.on('exit', (code, signal) => resolve({ code, signal, done }));
      });

    const local = Promise.all(
      Array.from({ length: WORKERS }, (_, w) => w)
        .filter((w) => !remote.includes(w))
        .map((w) => runWorker(f.services.transfers, f.em, plan, w)),
    );
    const [killed, restarted] = await verifiedDuring(
      (async () => {
        const first = await startChild(beforeKill, 300);
        return [first, await startChild(afterRestart, null)] as const;
      })(),
    );
    expect(killed.signal).toBe('SIGKILL');
    expect(restarted).toMatchObject({ code: 0, done: remote.length * plan.perWorker });
    (await local).forEach((r) => add(outcomes, r));
    for (const outcome of afterRestart.values()) outcomes[outcome as Outcome]++;

    // what the killed process was told, the restarted one is told again: replays, not second effects
    expect(beforeKill.size).toBeGreaterThanOrEqual(300);
    for (const [key, outcome] of beforeKill) expect({ key, outcome: afterRestart.get(key) }).toEqual({ key, outcome });
    await expectConsistent(plan, outcomes);
  }, 180_000);
});
