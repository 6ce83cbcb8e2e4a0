import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors.js';
import { assetInfo, type Network } from '../../../platform/money/assets.js';
import { accounts } from '../core/accounts.js';
import { reversalDraft, type Ledger, type LedgerResult } from '../core/ledger.js';
import { draft, type Posting, type TransactionDraft } from '../core/ledger.types.js';
import type { DebtService, SendRestriction } from '../debt/debt.service.js';
import type { HoldRecord, HoldService } from '../hold/hold.service.js';
import type { LevelLimits } from '../limits/limits.service.js';
import { requestHash } from '../core/request-hash.js';

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
  /** The destination is this user's deposit address: an internal transfer, posted user to user at once. */
  recipientUserId: string | null;
}

export interface WithdrawalSettlement {
  withdrawalId: string;
  network: Network;
  asset: string;
  amount: bigint;
  fee: bigint;
  /** What the chain charged, in the network's native asset (paid from custody by the platform's fees). */
  networkFee: { asset: string; amount: bigint } | null;
}

/** The gas one treasury move (sweep, gas top-up, hot → cold) paid on chain (wallet.sweep.confirmed). */
export interface TreasuryMoveFee {
  moveId: string;
  network: Network;
  /** The network's native asset the chain charged. */
  feeAsset: string;
  fee: bigint;
}

/** Toman that reached the platform's bank account for a user (payment.deposit.received). */
export interface FiatCredit {
  /** `paystar:<paymentId>` or `bank:<refCode>`: credited at most once. */
  reference: string;
  userId: string;
  amount: bigint;
}

/** The platform's bank accounts (Toman at Paystar's settlement and the statement account): Toman's custody. */
export const BANK_CUSTODY = 'custody:BANK:IRT';
const TOMAN = 'IRT';

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
    private readonly debts: DebtService,
    private readonly levels: LevelLimits | null = null,
  ) {}

  /**
   * custody:<network>:<asset> → user available. Each on-chain output is credited at most once (unique reference).
   * A user in debt in this asset (a reorged deposit they had spent) pays it back first, in the same transaction:
   * available → receivable:<userId>:<asset>, up to the whole deposit.
   */
  async creditDeposit(tx: EntityManager, d: DepositCredit, actor: string): Promise<LedgerResult> {
    checkNetworkAsset(d.network, d.asset);
    if (d.amount <= 0n) throw badInput('a deposit credits a positive amount', { field: 'amount' });
    const reference = `deposit:${d.network}:${d.txHash}:${d.outputIndex}`;
    const existing = await this.ledger.transactions.depositByReference(tx, reference);
    if (existing) return { type: 'Transaction', transaction: existing, replayed: true };
    await this.debts.lockDebt(tx, d.userId, d.asset);
    const owed = await this.debts.owed(tx, d.userId, d.asset);
    const repaid = owed < d.amount ? owed : d.amount;
    const available = accounts.available(d.userId, d.asset);
    const postings: Posting[] = [
      { source: accounts.custody(d.network, d.asset), destination: available, asset: d.asset, amount: d.amount },
    ];
    if (repaid > 0n)
      postings.push({
        source: available,
        destination: accounts.receivable(d.userId, d.asset),
        asset: d.asset,
        amount: repaid,
      });
    return this.ledger.commitWithin(
      tx,
      draft({ kind: 'DEPOSIT', asset: d.asset, amount: d.amount, userId: d.userId, reference, actor, postings }),
    );
  }

  /** Reserves amount + fee (available → held) until the withdrawal is sent or fails. */
  async holdWithdrawal(
    tx: EntityManager,
    w: WithdrawalRequest,
    actor: string,
  ): Promise<{ result: LedgerResult; hold: HoldRecord | null } | { restriction: SendRestriction; hold: null }> {
    checkNetworkAsset(w.network, w.asset);
    const reference = `withdrawal:${w.withdrawalId}`;
    const existing = await this.holds.byReference(tx, reference);
    if (existing)
      return {
        result: {
          type: 'Transaction',
          transaction: (await this.ledger.transactions.ofHold(tx, existing.id))!,
          replayed: true,
        },
        hold: existing,
      };
    // A frozen or indebted user sends nothing out, on chain or inside the platform.
    const restriction = await this.debts.restriction(tx, w.userId);
    if (restriction) return { restriction, hold: null };
    return this.holds.place(tx, {
      userId: w.userId,
      asset: w.asset,
      amount: w.amount + w.fee,
      kind: 'WITHDRAWAL',
      reference,
      expiresAt: w.expiresAt,
      actor,
      levelLimit: await this.levelClaim(tx, w.userId, w.asset, w.amount),
    });
  }

  /**
   * A withdrawal to another user's deposit address: available → the recipient's available at once (a TRANSFER,
   * no fee), under the same freeze and level-limit checks as a withdrawal. Replays return the first posting.
   */
  async transferWithdrawal(
    tx: EntityManager,
    w: WithdrawalRequest & { recipientUserId: string },
    actor: string,
  ): Promise<{ result: LedgerResult } | { restriction: SendRestriction }> {
    checkNetworkAsset(w.network, w.asset);
    const reference = `withdrawal:${w.withdrawalId}`;
    const existing = await this.ledger.transactions.transferByReference(tx, reference);
    if (existing) return { result: { type: 'Transaction', transaction: existing, replayed: true } };
    const restriction = await this.debts.restriction(tx, w.userId);
    if (restriction) return { restriction };
    const result = await this.ledger.commitWithin(
      tx,
      draft({
        kind: 'TRANSFER',
        asset: w.asset,
        amount: w.amount,
        userId: w.userId,
        counterpartyId: w.recipientUserId,
        reference,
        actor,
        levelLimit: await this.levelClaim(tx, w.userId, w.asset, w.amount),
        postings: [
          {
            source: accounts.available(w.userId, w.asset),
            destination: accounts.available(w.recipientUserId, w.asset),
            asset: w.asset,
            amount: w.amount,
          },
        ],
      }),
    );
    return { result };
  }

  /** The withdrawal's level-limit claim (LEDGER_LEVEL_LIMITS); PRICE_UNAVAILABLE without a fresh price. */
  private async levelClaim(tx: EntityManager, userId: string, asset: string, amount: bigint) {
    if (!this.levels?.enforced) return null;
    return this.levels.claimFor(tx, userId, asset, amount);
  }

  /**
   * The withdrawal left: held → custody:<network>:<asset> (amount) and fees:<asset> (the fee the user paid); then
   * what the chain actually charged (`networkFee`, native asset) goes fees:<native> → custody:<network>:<native>
   * (a FEE transaction), so custody follows the chain and the platform's fees keep the difference between the
   * quoted and the actual fee (either way).
   */
  async completeWithdrawal(tx: EntityManager, s: WithdrawalSettlement, actor: string): Promise<LedgerResult | null> {
    checkNetworkAsset(s.network, s.asset);
    const hold = await this.holds.byReference(tx, `withdrawal:${s.withdrawalId}`);
    if (!hold) return null;
    if (hold.status !== 'ACTIVE')
      return {
        type: 'Transaction',
        transaction: (await this.ledger.transactions.ofHold(tx, hold.id, true))!,
        replayed: true,
      };
    const { result } = await this.holds.capture(tx, hold.id, {
      destination: accounts.custody(s.network, s.asset),
      amount: s.amount,
      fee: s.fee,
      actor,
    });
    if (s.networkFee && s.networkFee.amount > 0n) {
      checkNetworkAsset(s.network, s.networkFee.asset);
      const paid = await this.ledger.commitWithin(
        tx,
        draft({
          kind: 'FEE',
          asset: s.networkFee.asset,
          amount: s.networkFee.amount,
          reference: `withdrawal-fee:${s.withdrawalId}`,
          actor,
          postings: [
            {
              source: accounts.fees(s.networkFee.asset),
              destination: accounts.custody(s.network, s.networkFee.asset),
              asset: s.networkFee.asset,
              amount: s.networkFee.amount,
            },
          ],
        }),
      );
      if (paid.type !== 'Transaction')
        throw new Error(`network fee of withdrawal ${s.withdrawalId} refused: ${paid.type}`);
    }
    return result;
  }

  /**
   * The gas a treasury move paid leaves custody for good: `fees:<feeAsset>` → `custody:<network>:<feeAsset>`
   * (kind FEE, reference `treasury-move:<moveId>`), like a withdrawal's network fee. The moved coins themselves
   * stay in custody (one account per network) and post nothing. Once per move: the move id is the idempotency key.
   */
  async payTreasuryMoveFee(tx: EntityManager, m: TreasuryMoveFee, actor: string): Promise<LedgerResult | null> {
    if (m.fee <= 0n) return null;
    checkNetworkAsset(m.network, m.feeAsset);
    const reference = `treasury-move:${m.moveId}`;
    const paid = await this.ledger.commitWithin(
      tx,
      draft({
        kind: 'FEE',
        asset: m.feeAsset,
        amount: m.fee,
        reference,
        actor,
        postings: [
          {
            source: accounts.fees(m.feeAsset),
            destination: accounts.custody(m.network, m.feeAsset),
            asset: m.feeAsset,
            amount: m.fee,
          },
        ],
        idempotency: {
          scope: 'treasury-move',
          key: m.moveId,
          requestHash: requestHash('treasury-move-fee', {
            network: m.network,
            asset: m.feeAsset,
            fee: m.fee.toString(),
          }),
        },
      }),
    );
    if (paid.type !== 'Transaction') throw new Error(`network fee of treasury move ${m.moveId} refused: ${paid.type}`);
    return paid;
  }

  /** The withdrawal failed or was cancelled: the hold's remainder goes back to available. */
  async failWithdrawal(tx: EntityManager, withdrawalId: string, actor: string): Promise<LedgerResult | null> {
    const hold = await this.holds.byReference(tx, `withdrawal:${withdrawalId}`);
    if (!hold) return null;
    if (hold.status !== 'ACTIVE')
      return {
        type: 'Transaction',
        transaction: (await this.ledger.transactions.ofHold(tx, hold.id, true))!,
        replayed: true,
      };
    const { result } = await this.holds.release(tx, hold.id, actor);
    return result;
  }

  /**
   * An order fill against the platform's inventory: user pays (available → exchange:<pay asset>) and
   * receives (exchange:<receive asset> → available), the fee kept from what they receive (→ fees).
   */
  async fill(tx: EntityManager, f: Fill, actor: string, extra: FillExtra = {}): Promise<LedgerResult> {
    return this.ledger.commitWithin(tx, fillDraft(f, actor, extra));
  }

  /** Several fills in one `commit_batch` round trip inside `tx`, each with its own result (limit orders a tick crosses). */
  async fillMany(tx: EntityManager, fills: { fill: Fill; extra: FillExtra }[], actor: string): Promise<LedgerResult[]> {
    const drafts = fills.map((x) => fillDraft(x.fill, actor, x.extra));
    const outcomes = await this.ledger.poster.commitWithin(tx, drafts);
    return Promise.all(outcomes.map((o, i) => this.ledger.resultOf(tx, drafts[i]!, o)));
  }

  /**
   * Undoes the credit of a deposit a chain reorganisation removed: a REVERSAL of its DEPOSIT transaction, at
   * most once, giving custody back the whole amount. The user's available balance pays what it can; when they
   * already spent the deposit, the rest (`shortfall`) comes from receivable:<userId>:<asset>, whose negative
   * balance is their debt (repaid by their next deposits, see creditDeposit). 'not-credited' when no credit exists.
   */
  async reverseDeposit(
    tx: EntityManager,
    reference: string,
    actor: string,
  ): Promise<{ result: LedgerResult; shortfall: bigint } | 'not-credited'> {
    const original = await this.ledger.transactions.depositByReference(tx, reference);
    if (!original) return 'not-credited';
    if (original.reversedBy) {
      const [reversal] = await this.ledger.transactions.byIds(tx, [original.reversedBy]);
      return { result: { type: 'Transaction', transaction: reversal!, replayed: true }, shortfall: 0n };
    }
    const userId = original.userId!;
    const asset = original.asset;
    const [credit] = (await this.ledger.transactions.postingsOf(tx, [original.id])).filter(
      (p) => p.destination === accounts.available(userId, asset),
    );
    if (!credit) throw new Error(`deposit ${original.id} has no credit to ${userId}`);
    // The available row stays locked until this transaction commits: nothing spends it between the read and the reversal.
    await this.debts.lockDebt(tx, userId, asset);
    const available = await this.debts.lockAvailable(tx, userId, asset);
    const paid = available < original.amount ? available : original.amount;
    const shortfall = original.amount - paid;
    const postings: Posting[] = [];
    if (paid > 0n)
      postings.push({ source: accounts.available(userId, asset), destination: credit.source, asset, amount: paid });
    if (shortfall > 0n)
      postings.push({
        source: accounts.receivable(userId, asset),
        destination: credit.source,
        asset,
        amount: shortfall,
      });
    const reason =
      shortfall > 0n
        ? `chain reorganisation removed the deposit; ${shortfall} already spent is owed`
        : 'chain reorganisation removed the deposit';
    const reversal = { ...reversalDraft(original, [], { actor, reason }), postings };
    return { result: await this.ledger.commitWithin(tx, reversal), shortfall };
  }

  /**
   * custody:BANK:IRT → user available (Toman deposited by card through Paystar, or by card-to-card / IBAN transfer),
   * reference `payment:<reference>`, unique among deposits: each payment or bank line is credited at most once. A
   * user in debt in Toman repays it first, as with chain deposits.
   */
  async creditFiat(tx: EntityManager, c: FiatCredit, actor: string): Promise<LedgerResult> {
    if (c.amount <= 0n) throw badInput('a deposit credits a positive amount', { field: 'amount' });
    const reference = `payment:${c.reference}`;
    const existing = await this.ledger.transactions.depositByReference(tx, reference);
    if (existing) return { type: 'Transaction', transaction: existing, replayed: true };
    await this.debts.lockDebt(tx, c.userId, TOMAN);
    const owed = await this.debts.owed(tx, c.userId, TOMAN);
    const repaid = owed < c.amount ? owed : c.amount;
    const available = accounts.available(c.userId, TOMAN);
    const postings: Posting[] = [{ source: BANK_CUSTODY, destination: available, asset: TOMAN, amount: c.amount }];
    if (repaid > 0n)
      postings.push({
        source: available,
        destination: accounts.receivable(c.userId, TOMAN),
        asset: TOMAN,
        amount: repaid,
      });
    return this.ledger.commitWithin(
      tx,
      draft({ kind: 'DEPOSIT', asset: TOMAN, amount: c.amount, userId: c.userId, reference, actor, postings }),
    );
  }

  /**
   * Holds a Toman withdrawal (available → held, reference `fiat-withdrawal:<id>`), counted against the user's level
   * limits (LEDGER_LEVEL_LIMITS) in the same transaction. A frozen or indebted user holds nothing.
   */
  async holdFiatWithdrawal(
    tx: EntityManager,
    w: { withdrawalId: string; userId: string; amount: bigint },
    actor: string,
  ): Promise<{ result: LedgerResult; hold: HoldRecord | null } | { restriction: SendRestriction; hold: null }> {
    const reference = `fiat-withdrawal:${w.withdrawalId}`;
    const existing = await this.holds.byReference(tx, reference);
    if (existing)
      return {
        result: {
          type: 'Transaction',
          transaction: (await this.ledger.transactions.ofHold(tx, existing.id))!,
          replayed: true,
        },
        hold: existing,
      };
    const restriction = await this.debts.restriction(tx, w.userId);
    if (restriction) return { restriction, hold: null };
    const levelLimit = this.levels ? await this.levels.claimFor(tx, w.userId, TOMAN, w.amount) : null;
    return this.holds.place(tx, {
      userId: w.userId,
      asset: TOMAN,
      amount: w.amount,
      kind: 'WITHDRAWAL',
      reference,
      expiresAt: null,
      actor,
      levelLimit,
    });
  }

  /** The bank transfer is done: held → custody:BANK:IRT. Null while the hold does not exist yet. */
  async completeFiatWithdrawal(tx: EntityManager, withdrawalId: string, actor: string): Promise<LedgerResult | null> {
    const hold = await this.holds.byReference(tx, `fiat-withdrawal:${withdrawalId}`);
    if (!hold) return null;
    if (hold.status !== 'ACTIVE')
      return {
        type: 'Transaction',
        transaction: (await this.ledger.transactions.ofHold(tx, hold.id, true))!,
        replayed: true,
      };
    const { result } = await this.holds.capture(tx, hold.id, { destination: BANK_CUSTODY, actor });
    return result;
  }

  /** The transfer failed or was declined: held → available. Null while the hold does not exist yet. */
  async failFiatWithdrawal(tx: EntityManager, withdrawalId: string, actor: string): Promise<LedgerResult | null> {
    const hold = await this.holds.byReference(tx, `fiat-withdrawal:${withdrawalId}`);
    if (!hold) return null;
    if (hold.status !== 'ACTIVE')
      return {
        type: 'Transaction',
        transaction: (await this.ledger.transactions.ofHold(tx, hold.id, true))!,
        replayed: true,
      };
    const { result } = await this.holds.release(tx, hold.id, actor);
    return result;
  }
}

export type FillExtra = Pick<Partial<TransactionDraft>, 'levelLimit' | 'holdId'> & {
  /** A limit order pays from its hold (user:<id>:<asset>:held); an instant one from available. */
  payFrom?: string;
};

/**
 * The transaction of an order fill: user pays (available or held → exchange:<pay asset>) and receives
 * (exchange:<receive asset> → available), the fee kept from what they receive (→ fees:<receive asset>).
 */
export function fillDraft(f: Fill, actor: string, extra: FillExtra = {}): TransactionDraft {
  for (const leg of [f.pay, f.receive]) {
    if (!assetInfo(leg.asset)) throw badInput(`unknown asset ${leg.asset}`);
    if (leg.amount <= 0n) throw badInput('a fill moves positive amounts');
  }
  if (f.pay.asset === f.receive.asset) throw badInput('a fill exchanges two different assets');
  if (f.fee < 0n || f.fee >= f.receive.amount) throw badInput('the fee must be below what the user receives');
  const postings: Posting[] = [
    {
      source: extra.payFrom ?? accounts.available(f.userId, f.pay.asset),
      destination: accounts.exchange(f.pay.asset),
      asset: f.pay.asset,
      amount: f.pay.amount,
    },
    {
      source: accounts.exchange(f.receive.asset),
      destination: accounts.available(f.userId, f.receive.asset),
      asset: f.receive.asset,
      amount: f.receive.amount - f.fee,
    },
  ];
  if (f.fee > 0n)
    postings.push({
      source: accounts.exchange(f.receive.asset),
      destination: accounts.fees(f.receive.asset),
      asset: f.receive.asset,
      amount: f.fee,
    });
  return draft({
    kind: f.kind,
    asset: f.receive.asset,
    amount: f.receive.amount - f.fee,
    fee: f.fee,
    userId: f.userId,
    reference: `order:${f.orderId}`,
    actor,
    postings,
    levelLimit: extra.levelLimit ?? null,
    holdId: extra.holdId ?? null,
  });
}

function checkNetworkAsset(network: Network, asset: string): void {
  const info = assetInfo(asset);
  if (!info || info.network !== network)
    throw badInput(`${asset} is not an asset of network ${network}`, { field: 'asset' });
}
