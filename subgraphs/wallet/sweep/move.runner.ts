import type { EntityManager } from '@mikro-orm/postgresql';
import type { Network } from '../../../chains/network.js';
import type { Logger } from '../../../platform/logger.js';
import { nativeAssetOf } from '../../../platform/money/assets.js';
import type { ChainBalanceReader } from '../../../providers/chain-balance/index.js';
import { PayoutError } from '../payout/payout.errors.js';
import type { ChainPayout, PayoutRequest } from '../payout/payout.port.js';
import { MoveStore, type TreasuryMove } from './move.store.js';

export interface MoveRunnerDeps {
  store: MoveStore;
  payouts: ReadonlyMap<Network, ChainPayout>;
  reader: ChainBalanceReader;
  log: Logger;
}

export function requestOf(move: TreasuryMove, amount = move.amount): PayoutRequest {
  return {
    network: move.network,
    asset: move.asset,
    from: move.source,
    to: move.toAddress,
    amount,
    reference: move.id,
  };
}

/**
 * Drives treasury moves through a network's payout port, one step per call, crash-safe the way withdrawals are:
 * PLANNED → (quote, sign) → SIGNED stored → broadcast → BROADCAST → status → CONFIRMED | FAILED. After a crash a
 * SIGNED or BROADCAST move is re-broadcast from its stored bytes (idempotent) and resolved by its status; it is never
 * signed again. A sweep WAITING_GAS moves on once its top-up is CONFIRMED (or fails with it).
 */
export class MoveRunner {
  constructor(private readonly deps: MoveRunnerDeps) {}

  /** Advances every open move of the network by one step; returns how many changed state. */
  async advanceAll(em: EntityManager, network: Network): Promise<number> {
    let changed = 0;
    for (const move of await this.deps.store.open(em, network)) {
      try {
        if (await this.advance(em, move)) changed++;
      } catch (err) {
        this.deps.log.warn(
          { err, moveId: move.id, kind: move.kind, status: move.status },
          'treasury move step failed: will retry',
        );
      }
    }
    return changed;
  }

  async advance(em: EntityManager, move: TreasuryMove): Promise<boolean> {
    const payout = this.deps.payouts.get(move.network);
    if (!payout) return false;
    switch (move.status) {
      case 'WAITING_GAS':
        return this.afterTopUp(em, move);
      case 'PLANNED':
        return this.sign(em, payout, move);
      case 'SIGNED':
        return this.send(em, payout, move);
      case 'BROADCAST':
        return this.follow(em, payout, move);
      default:
        return false;
    }
  }

  private async afterTopUp(em: EntityManager, move: TreasuryMove): Promise<boolean> {
    const topUp = move.topUpId ? await this.deps.store.get(em, move.topUpId) : null;
    if (!topUp || topUp.status === 'FAILED') {
      await this.deps.store.finish(em, move.id, { status: 'FAILED', error: `gas top-up ${move.topUpId} failed` });
      return true;
    }
    if (topUp.status !== 'CONFIRMED') return false;
    return this.deps.store.release(em, move.id);
  }

  private async sign(em: EntityManager, payout: ChainPayout, move: TreasuryMove): Promise<boolean> {
    const native = nativeAssetOf(move.network).symbol;
    let amount = move.amount;
    let quote = await payout.quoteFee(requestOf(move));
    if (move.kind === 'SWEEP' && move.asset === native) {
      // A native sweep sends what the address holds less the fee cap (the cap's unused part stays behind).
      const balance = await this.deps.reader.balance(move.network, move.asset, move.fromAddress);
      amount = balance - quote.maxFee;
      if (amount <= 0n) {
        await this.deps.store.finish(em, move.id, { status: 'FAILED', error: 'the fee would take the whole balance' });
        return true;
      }
      quote = await payout.quoteFee(requestOf(move, amount));
      amount = balance - quote.maxFee;
    } else if (move.kind === 'SWEEP') {
      // A token sweep's gas comes from the deposit address: refuse to sign one that could not pay (topped up again).
      const gas = await this.deps.reader.balance(move.network, native, move.fromAddress);
      if (gas < quote.maxFee) {
        await this.deps.store.finish(em, move.id, {
          status: 'FAILED',
          error: `needs ${quote.maxFee} ${native} for gas, holds ${gas}`,
        });
        return true;
      }
    }
    let signed;
    try {
      signed = await payout.sign(requestOf(move, amount), quote);
    } catch (err) {
      if (err instanceof PayoutError && (err.code === 'PAYOUT_INVALID' || err.code === 'PAYOUT_WOULD_FAIL')) {
        await this.deps.store.finish(em, move.id, { status: 'FAILED', error: err.message });
        return true;
      }
      throw err;
    }
    if (!(await this.deps.store.signed(em, move.id, signed, amount))) return false;
    this.deps.log.info(
      { moveId: move.id, kind: move.kind, asset: move.asset, txHash: signed.txHash },
      'treasury move signed',
    );
    const stored = await this.deps.store.get(em, move.id);
    return stored ? (await this.send(em, payout, stored), true) : true;
  }

  private async send(em: EntityManager, payout: ChainPayout, move: TreasuryMove): Promise<boolean> {
    try {
      await payout.broadcast(move.signed!);
    } catch (err) {
      if (err instanceof PayoutError && err.code !== 'PAYOUT_SEQUENCE_BUSY') {
        // Refused for good before it reached a block: nothing moved.
        const status = await payout.status(move.signed!).catch(() => null);
        if (status?.state === 'PENDING' || status?.state === 'CONFIRMED') {
          await this.deps.store.broadcast(em, move.id);
          return true;
        }
        await this.deps.store.finish(em, move.id, { status: 'FAILED', error: err.message });
        return true;
      }
      throw err;
    }
    await this.deps.store.broadcast(em, move.id);
    return true;
  }

  private async follow(em: EntityManager, payout: ChainPayout, move: TreasuryMove): Promise<boolean> {
    const signed = move.signed!;
    const status = await payout.status(signed);
    if (status.state === 'CONFIRMED') {
      await this.deps.store.finish(em, move.id, { status: 'CONFIRMED', fee: status.fee });
      this.deps.log.info(
        { moveId: move.id, kind: move.kind, asset: move.asset, fee: status.fee?.toString() },
        'treasury move confirmed',
      );
      return true;
    }
    if (status.state === 'FAILED') {
      await this.deps.store.finish(em, move.id, { status: 'FAILED', error: 'failed on chain', fee: status.fee });
      return true;
    }
    if (status.state === 'UNKNOWN') {
      if (signed.expiresAt && signed.expiresAt.getTime() < Date.now()) {
        await this.deps.store.finish(em, move.id, { status: 'FAILED', error: 'expired unsent' });
        return true;
      }
      // Dropped or not yet seen: the same bytes again (never a new signature).
      await payout
        .broadcast(signed)
        .catch((err: unknown) => this.deps.log.warn({ err, moveId: move.id }, 'treasury move re-broadcast failed'));
    }
    return false;
  }
}
