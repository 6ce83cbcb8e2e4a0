import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors.js';
import { assetInfo, type Network } from '../../../platform/money/assets.js';
import { accounts } from '../core/accounts.js';
import { reversalDraft, type Ledger, type LedgerResult } from '../core/ledger.js';
import { draft, type Posting } from '../core/ledger.types.js';
import type { HoldRecord, HoldService } from '../hold/hold.service.js';

/** Amounts here are integers in the asset's minor unit: other subgraphs' events carry them that way. */
export interface DepositCredit {
  depositId: string;
  userId: string;
  network: Network;
  asset: string;
  amount: bigint;
  txHash: string;
  outputIndex: number;
}

export interface WithdrawalRequest {
  withdrawalId: string;
  userId: string;
  network: Network;
  asset: string;
  amount: bigint;
  fee: bigint;
  expiresAt: Date | null;
}

export interface WithdrawalSettlement {
  withdrawalId: string;
  network: Network;
  asset: string;
  amount: bigint;
  fee: bigint;
}

export interface Fill {
  orderId: string;
  userId: string;
  kind: 'BUY' | 'SELL' | 'SWAP';
  pay: { asset: string; amount: bigint };
  receive: { asset: string; amount: bigint };
  /** Charged in the asset received, on top of what the user pays: it is kept from what they receive. */
  fee: bigint;
}

/**
 * The posting interface other subgraphs' events drive (see postings.consumer.ts and the README for the
 * event contracts), and the order book will call in-process. Every method runs inside the caller's
 * database transaction (the consumer's inbox transaction), which makes it once-only per event id.
 */
export class PostingsService {
  constructor(
    private readonly ledger: Ledger,
    private readonly holds: HoldService,
  ) {}

  /** custody:<network>:<asset> → user available. Each on-chain output is credited at most once (unique reference). */
  async creditDeposit(tx: EntityManager, d: DepositCredit, actor: string): Promise<LedgerResult> {
    checkNetworkAsset(d.network, d.asset);
    if (d.amount <= 0n) throw badInput('a deposit credits a positive amount', { field: 'amount' });
    const reference = `deposit:${d.network}:${d.txHash}:${d.outputIndex}`;
    const existing = await this.ledger.transactions.depositByReference(tx, reference);
    if (existing) return { type: 'Transaction', transaction: existing, replayed: true };
    return this.ledger.commitWithin(
      tx,
      draft({
        kind: 'DEPOSIT',
        asset: d.asset,
        amount: d.amount,
        userId: d.userId,
        reference,
        actor,
        postings: [{ source: accounts.custody(d.network, d.asset), destination: accounts.available(d.userId, d.asset), asset: d.asset, amount: d.amount }],
      }),
    );
  }

  /** Reserves amount + fee (available → held) until the withdrawal is sent or fails. */
  async holdWithdrawal(tx: EntityManager, w: WithdrawalRequest, actor: string): Promise<{ result: LedgerResult; hold: HoldRecord | null }> {
    checkNetworkAsset(w.network, w.asset);
    const reference = `withdrawal:${w.withdrawalId}`;
    const existing = await this.holds.byReference(tx, reference);
    if (existing) return { result: { type: 'Transaction', transaction: (await this.ledger.transactions.ofHold(tx, existing.id))!, replayed: true }, hold: existing };
    return this.holds.place(tx, { userId: w.userId, asset: w.asset, amount: w.amount + w.fee, kind: 'WITHDRAWAL', reference, expiresAt: w.expiresAt, actor });
  }

  /** The withdrawal left: held → custody:<network>:<asset> (amount) and fees:<asset> (fee). */
  async completeWithdrawal(tx: EntityManager, s: WithdrawalSettlement, actor: string): Promise<LedgerResult | null> {
    checkNetworkAsset(s.network, s.asset);
    const hold = await this.holds.byReference(tx, `withdrawal:${s.withdrawalId}`);
    if (!hold) return null;
    if (hold.status !== 'ACTIVE') return { type: 'Transaction', transaction: (await this.ledger.transactions.ofHold(tx, hold.id, true))!, replayed: true };
    const { result } = await this.holds.capture(tx, hold.id, { destination: accounts.custody(s.network, s.asset), amount: s.amount, fee: s.fee, actor });
    return result;
  }

  /** The withdrawal failed or was cancelled: the hold's remainder goes back to available. */
  async failWithdrawal(tx: EntityManager, withdrawalId: string, actor: string): Promise<LedgerResult | null> {
    const hold = await this.holds.byReference(tx, `withdrawal:${withdrawalId}`);
    if (!hold) return null;
    if (hold.status !== 'ACTIVE') return { type: 'Transaction', transaction: (await this.ledger.transactions.ofHold(tx, hold.id, true))!, replayed: true };
    const { result } = await this.holds.release(tx, hold.id, actor);
    return result;
  }

  /**
   * An order fill against the platform's inventory: user pays (available → exchange:<pay asset>) and
   * receives (exchange:<receive asset> → available), the fee kept from what they receive (→ fees).
   */
  async fill(tx: EntityManager, f: Fill, actor: string): Promise<LedgerResult> {
    for (const leg of [f.pay, f.receive]) {
      if (!assetInfo(leg.asset)) throw badInput(`unknown asset ${leg.asset}`);
      if (leg.amount <= 0n) throw badInput('a fill moves positive amounts');
    }
    if (f.pay.asset === f.receive.asset) throw badInput('a fill exchanges two different assets');
    if (f.fee < 0n || f.fee >= f.receive.amount) throw badInput('the fee must be below what the user receives');
    const postings: Posting[] = [
      { source: accounts.available(f.userId, f.pay.asset), destination: accounts.exchange(f.pay.asset), asset: f.pay.asset, amount: f.pay.amount },
      { source: accounts.exchange(f.receive.asset), destination: accounts.available(f.userId, f.receive.asset), asset: f.receive.asset, amount: f.receive.amount - f.fee },
    ];
    if (f.fee > 0n) postings.push({ source: accounts.exchange(f.receive.asset), destination: accounts.fees(f.receive.asset), asset: f.receive.asset, amount: f.fee });
    return this.ledger.commitWithin(
      tx,
      draft({ kind: f.kind, asset: f.receive.asset, amount: f.receive.amount - f.fee, fee: f.fee, userId: f.userId, reference: `order:${f.orderId}`, actor, postings }),
    );
  }

  /**
   * Undoes the credit of a deposit a chain reorganisation removed: a REVERSAL of its DEPOSIT transaction,
   * at most once. 'not-credited' when no credit exists; InsufficientFunds when the user already spent it.
   */
  async reverseDeposit(tx: EntityManager, reference: string, actor: string): Promise<LedgerResult | 'not-credited'> {
    const original = await this.ledger.transactions.depositByReference(tx, reference);
    if (!original) return 'not-credited';
    if (original.reversedBy) {
      const [reversal] = await this.ledger.transactions.byIds(tx, [original.reversedBy]);
      return { type: 'Transaction', transaction: reversal!, replayed: true };
    }
    const postings = await this.ledger.transactions.postingsOf(tx, [original.id]);
    return this.ledger.commitWithin(tx, reversalDraft(original, postings, { actor, reason: 'chain reorganisation removed the deposit' }));
  }
}

function checkNetworkAsset(network: Network, asset: string): void {
  const info = assetInfo(asset);
  if (!info || info.network !== network) throw badInput(`${asset} is not an asset of network ${network}`, { field: 'asset' });
}
