import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Viewer } from '../../platform/auth/viewer.js';
import { accounts } from './core/accounts.js';
import type { LedgerResult } from './core/ledger.js';
import { feeFor } from './transfer/transfer.service.js';
import { startLedgerFixture, type LedgerFixture } from './testing/ledger-fixture.js';

/**
 * Model-based: random sequences of deposits, transfers, holds, captures, releases and reversals run against
 * the real ledger and a plain in-memory model; after every step the balances match the model and every
 * invariant holds (verifyLedger: hashes, chain, cached = Σ postings, Σ per asset = 0, no negative user
 * balance, held = Σ active holds).
 */
const ASSET = 'TON'; // 9 decimals
const FEE = { fixed: 1_000_000n, bps: 50 }; // 0.001 TON + 0.5 %
const USERS = 4;

interface Model {
  users: string[];
  available: bigint[];
  held: bigint[];
  holds: { id: string; user: number; remaining: bigint; active: boolean }[];
  /** Reversible transactions: deposits and transfers. */
  txns: { id: string; from: number | null; to: number; amount: bigint; fee: bigint; reversed: boolean }[];
}
interface Real {
  f: LedgerFixture;
  admin: Viewer;
}

let f: LedgerFixture;
let keys = 0;
beforeAll(async () => {
  f = await startLedgerFixture({ LEDGER_FEES: 'TON:0.001:50,*:0:0', LEDGER_LIMITS: '*:-:-' });
});
afterAll(async () => {
  await f?.close();
});

function txnOf(result: LedgerResult) {
  if (result.type !== 'Transaction') throw new Error(`expected a transaction, got ${result.type}`);
  return result.transaction;
}

async function check(model: Model, real: Real): Promise<void> {
  const balances = await real.f.services.balances.ofUsers(real.f.em(), model.users, [ASSET]);
  model.users.forEach((u, i) => {
    const b = balances.get(u)![0]!;
    expect({ user: i, available: b.available, held: b.held }).toEqual({
      user: i,
      available: model.available[i],
      held: model.held[i],
    });
  });
  const report = await real.f.verify();
  expect(report.mismatches).toEqual([]);
}

class Deposit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly amount: bigint,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const result = await r.f.em().transactional((tx) =>
      r.f.services.postings.creditDeposit(
        tx,
        {
          depositId: `d${++keys}`,
          userId: m.users[this.user]!,
          network: 'TON',
          asset: ASSET,
          amount: this.amount,
          txHash: `0xprop${keys}`,
          outputIndex: 0,
        },
        'test',
      ),
    );
    m.available[this.user]! += this.amount;
    m.txns.push({ id: txnOf(result).id, from: null, to: this.user, amount: this.amount, fee: 0n, reversed: false });
    await check(m, r);
  }
  toString = () => `deposit(${this.user}, ${this.amount})`;
}

class Transfer implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly from: number,
    readonly to: number,
    readonly amount: bigint,
  ) {}
  check = () => this.from !== this.to;
  async run(m: Model, r: Real) {
    const fee = feeFor(FEE, this.amount);
    const result = await r.f.services.transfers.transfer(r.f.em(), r.f.viewer(m.users[this.from]!), {
      toUserId: m.users[this.to]!,
      asset: ASSET,
      amount: (Number(this.amount) / 1e9).toFixed(9),
      idempotencyKey: `p${++keys}`,
    });
    if (m.available[this.from]! >= this.amount + fee) {
      m.available[this.from]! -= this.amount + fee;
      m.available[this.to]! += this.amount;
      m.txns.push({ id: txnOf(result).id, from: this.from, to: this.to, amount: this.amount, fee, reversed: false });
    } else {
      expect(result).toEqual({
        type: 'InsufficientFunds',
        asset: ASSET,
        available: m.available[this.from],
        required: this.amount + fee,
      });
    }
    await check(m, r);
  }
  toString = () => `transfer(${this.from} → ${this.to}, ${this.amount})`;
}

class PlaceHold implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly amount: bigint,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const { result, hold } = await r.f.services.holds.place(r.f.em(), {
      userId: m.users[this.user]!,
      asset: ASSET,
      amount: this.amount,
      kind: 'WITHDRAWAL',
      reference: null,
      expiresAt: null,
      actor: 'test',
    });
    if (m.available[this.user]! >= this.amount) {
      m.available[this.user]! -= this.amount;
      m.held[this.user]! += this.amount;
      m.holds.push({ id: hold!.id, user: this.user, remaining: this.amount, active: true });
    } else {
      expect(result.type).toBe('InsufficientFunds');
    }
    await check(m, r);
  }
  toString = () => `hold(${this.user}, ${this.amount})`;
}

class CaptureHold implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly part: bigint,
  ) {}
  check = (m: Readonly<Model>) => m.holds.some((h) => h.active);
  async run(m: Model, r: Real) {
    const active = m.holds.filter((h) => h.active);
    const hold = active[this.pick % active.length]!;
    const amount = this.part >= hold.remaining ? hold.remaining : this.part;
    const { hold: after } = await r.f.services.holds.capture(r.f.em(), hold.id, {
      destination: accounts.custody('TON', ASSET),
      amount,
      actor: 'test',
    });
    hold.remaining -= amount;
    hold.active = hold.remaining > 0n;
    m.held[hold.user]! -= amount;
    expect(after.status).toBe(hold.active ? 'ACTIVE' : 'CAPTURED');
    await check(m, r);
  }
  toString = () => `capture(#${this.pick}, ${this.part})`;
}

class ReleaseHold implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.holds.some((h) => h.active);
  async run(m: Model, r: Real) {
    const active = m.holds.filter((h) => h.active);
    const hold = active[this.pick % active.length]!;
    await r.f.services.holds.release(r.f.em(), hold.id, 'test');
    m.held[hold.user]! -= hold.remaining;
    m.available[hold.user]! += hold.remaining;
    hold.remaining = 0n;
    hold.active = false;
    await check(m, r);
  }
  toString = () => `release(#${this.pick})`;
}

class Reverse implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.txns.length > 0;
  async run(m: Model, r: Real) {
    const t = m.txns[this.pick % m.txns.length]!;
    const attempt = r.f.services.admin.reverse(r.f.em(), r.admin, {
      transactionId: t.id,
      reason: 'property test',
      idempotencyKey: `r${++keys}`,
    });
    if (t.reversed) {
      await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT' });
    } else if (m.available[t.to]! >= t.amount) {
      txnOf(await attempt);
      m.available[t.to]! -= t.amount;
      if (t.from !== null) m.available[t.from]! += t.amount + t.fee;
      t.reversed = true;
    } else {
      expect(await attempt).toMatchObject({
        type: 'InsufficientFunds',
        available: m.available[t.to],
        required: t.amount,
      });
    }
    await check(m, r);
  }
  toString = () => `reverse(#${this.pick})`;
}

const user = fc.integer({ min: 0, max: USERS - 1 });
const amount = fc.bigInt({ min: 1n, max: 5_000_000_000n }); // up to 5 TON
const commands = [
  fc.tuple(user, amount).map(([u, a]) => new Deposit(u, a)),
  fc.tuple(user, user, amount).map(([a, b, x]) => new Transfer(a, b, x)),
  fc.tuple(user, user, amount).map(([a, b, x]) => new Transfer(a, b, x)),
  fc.tuple(user, amount).map(([u, a]) => new PlaceHold(u, a)),
  fc.tuple(fc.nat(), amount).map(([p, a]) => new CaptureHold(p, a)),
  fc.nat().map((p) => new ReleaseHold(p)),
  fc.nat().map((p) => new Reverse(p)),
];

it('random sequences of transfers, holds, captures, releases and reversals keep every invariant after each step', async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 25, size: 'max' }), async (cmds) => {
      const users = await Promise.all(Array.from({ length: USERS }, () => f.addUser()));
      const model: Model = { users, available: users.map(() => 0n), held: users.map(() => 0n), holds: [], txns: [] };
      await fc.asyncModelRun(() => ({ model, real: { f, admin: f.finance() } }), cmds);
    }),
    { numRuns: 40 },
  );
}, 180_000);
