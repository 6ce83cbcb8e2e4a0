import type { EntityManager } from '@mikro-orm/postgresql';
import type { TransferService } from '../transfer/transfer.service.js';

/** A small seeded PRNG (mulberry32): the same worker and seed always produce the same transfers. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LoadPlan {
  users: string[];
  assets: string[];
  /** Idempotency keys are `<prefix>-w<worker>-<i>`. */
  prefix: string;
  seed: number;
  perWorker: number;
}

export type Outcome = 'Transaction' | 'InsufficientFunds' | 'LimitExceeded' | 'RecipientNotFound';

/** The i-th transfer of a worker: deterministic, so a restarted worker sends exactly the same requests. */
export function planned(plan: LoadPlan, worker: number, i: number) {
  const rnd = prng(plan.seed * 1_000_003 + worker * 10_007 + i);
  const from = Math.floor(rnd() * plan.users.length);
  let to = Math.floor(rnd() * (plan.users.length - 1));
  if (to >= from) to++;
  const asset = plan.assets[Math.floor(rnd() * plan.assets.length)]!;
  const amount = `${1 + Math.floor(rnd() * 40)}.${String(Math.floor(rnd() * 1000)).padStart(3, '0')}`;
  return { from: plan.users[from]!, to: plan.users[to]!, asset, amount, key: `${plan.prefix}-w${worker}-${i}` };
}

/** Runs one worker's transfers one after another; each transfer is one request (one round trip, batched). */
export async function runWorker(
  transfers: TransferService,
  em: () => EntityManager,
  plan: LoadPlan,
  worker: number,
  onDone?: (i: number, outcome: Outcome) => void,
): Promise<Record<Outcome, number>> {
  const counts: Record<Outcome, number> = {
    Transaction: 0,
    InsufficientFunds: 0,
    LimitExceeded: 0,
    RecipientNotFound: 0,
  };
  for (let i = 0; i < plan.perWorker; i++) {
    const t = planned(plan, worker, i);
    const viewer = { userId: t.from, roles: ['USER' as const], claims: [], sessionId: null };
    const result = await transfers.transfer(em(), viewer, {
      toUserId: t.to,
      asset: t.asset,
      amount: t.amount,
      idempotencyKey: t.key,
    });
    counts[result.type]++;
    onDone?.(i, result.type);
  }
  return counts;
}
