import { Cell, loadMessage, loadMessageRelaxed } from '@ton/core';
import { decodeTonAddress } from '../../../chains/address.js';
import { assetInfo, nativeAssetOf } from '../../../platform/money/assets.js';
import type { Logger } from '../../../platform/logger.js';
import { TonSendRejectedError, type ToncenterClient, type TonTransaction } from '../../../providers/toncenter/index.js';
import {
  JETTON_TRANSFER_OP,
  derivePublicKey,
  signTonTransfer,
  unsignedTonTransfer,
  type TonTransfer,
} from '../custody/index.js';
import { PayoutError } from './payout.errors.js';
import type { PayoutKeys } from './payout.keys.js';
import type { ChainPayout, FeeQuote, PayoutRequest, PayoutStatus, SignedPayout } from './payout.port.js';
import { SequenceBusyError, type SequenceAllocator } from './sequence.allocator.js';

/** After valid_until, how long a message not found is still given to show up in the indexer before FAILED. */
const INDEXER_GRACE_SECONDS = 60;
/** nanotons forwarded to the jetton recipient with transfer_notification. */
const FORWARD_TON = 1n;

export interface TonPayoutSettings {
  /** Masterchain blocks on top of (and including) the one holding the transaction before CONFIRMED. */
  confirmations: number;
  /** The USDT jetton master. */
  usdtMaster: string;
  /** valid_until = now + this; the wallet's seqno is held that long. */
  validSeconds: number;
  /** nanotons attached to a jetton transfer for the jetton wallets' gas (the excess returns). */
  jettonAttachedNanoton: bigint;
}

export interface TonPayoutDeps {
  client: ToncenterClient;
  keys: PayoutKeys;
  sequences: SequenceAllocator;
  log: Logger;
  /** Unix seconds; default the wall clock. */
  now?: () => number;
}

const sameAccount = (a: string, b: string): boolean => {
  const x = decodeTonAddress(a);
  const y = decodeTonAddress(b);
  return x.workchain === y.workchain && Buffer.from(x.hash).equals(Buffer.from(y.hash));
};

const succeeded = (tx: TonTransaction): boolean =>
  !tx.aborted && tx.computeSuccess !== false && tx.actionSuccess !== false;

/**
 * TON and USDT-on-TON (jetton) payouts from v4R2 wallets through toncenter.
 * - Fees: v2 `estimateFee` of the message body (unsigned, `ignore_chksig`) — the wallet's gas + forward fees; a
 *   jetton transfer also spends the TON attached for the jetton wallets (the excess returns later).
 * - Seqno: the wallet accepts exactly its current seqno, so sends from one wallet are serialised by the
 *   `SequenceAllocator` row lock: a seqno is held until the message holding it expires (valid_until); another
 *   payout meanwhile gets PAYOUT_SEQUENCE_BUSY. A stale seqno (the chain moved on) is detected at broadcast.
 * - Hash: the external message's hash; status finds the wallet transaction it caused (v3 transactionsByMessage)
 *   and, for jettons, the jetton wallet's transaction after it.
 */
export class TonChainPayout implements ChainPayout {
  readonly network = 'TON' as const;
  private readonly now: () => number;

  constructor(
    private readonly settings: TonPayoutSettings,
    private readonly deps: TonPayoutDeps,
  ) {
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  }

  hotAddress(): Promise<string> {
    return this.deps.keys.address('TON', { kind: 'hot' });
  }

  async quoteFee(request: PayoutRequest): Promise<FeeQuote> {
    const jetton = this.isJetton(request);
    const from = await this.deps.keys.address('TON', request.from);
    const seqno = await this.deps.client.getSeqno(from);
    const transfer = await this.transferOf(request, from);
    const publicKey = await this.deps.keys.withSeed('TON', request.from, (seed, key) =>
      derivePublicKey(seed, 'TON', key.index, key.branch),
    );
    const unsigned = unsignedTonTransfer(publicKey, {
      seqno,
      validUntil: this.now() + this.settings.validSeconds,
      transfer,
    });
    const estimate = await this.deps.client.estimateFee({
      address: from,
      body: unsigned.body,
      initCode: unsigned.initCode,
      initData: unsigned.initData,
      ignoreChksig: true,
    });
    const walletFees = estimate.source.total + estimate.destination.reduce((sum, f) => sum + f.total, 0n);
    const attached = jetton ? this.settings.jettonAttachedNanoton : 0n;
    return {
      network: 'TON',
      feeAsset: nativeAssetOf('TON').symbol,
      maxFee: walletFees + attached,
      // A jetton transfer's attached TON is spent on the jetton wallets' gas; what is left returns as an excess.
      expectedFee: walletFees + attached,
      detail: {
        from,
        seqno: String(seqno),
        gasFee: estimate.source.gasFee.toString(),
        forwardFee: estimate.source.forwardFee.toString(),
        storageFee: estimate.source.storageFee.toString(),
        inForwardFee: estimate.source.inForwardFee.toString(),
        attachedTon: attached.toString(),
        ...(transfer.asset === 'jetton' ? { jettonWallet: transfer.jettonWallet } : {}),
      },
    };
  }

  async sign(request: PayoutRequest, quote: FeeQuote): Promise<SignedPayout> {
    if (quote.network !== 'TON') throw new PayoutError('PAYOUT_INVALID', 'TON', `quote is for ${quote.network}`);
    const from = await this.deps.keys.address('TON', request.from);
    const transfer = await this.transferOf(request, from);
    const chainSeqno = await this.deps.client.getSeqno(from);
    const validUntil = this.now() + this.settings.validSeconds;
    let sequence: bigint;
    try {
      ({ sequence } = await this.deps.sequences.allocateSeqno(
        'TON',
        from,
        request.reference,
        BigInt(chainSeqno),
        new Date(validUntil * 1000),
        new Date(this.now() * 1000),
      ));
    } catch (err) {
      if (err instanceof SequenceBusyError)
        throw new PayoutError('PAYOUT_SEQUENCE_BUSY', 'TON', err.message, { cause: err });
      throw err;
    }
    const signed = await this.deps.keys.withSeed('TON', request.from, (seed, key) =>
      signTonTransfer(seed, {
        index: key.index,
        branch: key.branch,
        seqno: Number(sequence),
        validUntil,
        transfer,
      }),
    );
    this.deps.log.info(
      { network: 'TON', reference: request.reference, from, seqno: sequence.toString(), txHash: signed.messageHash },
      'payout signed',
    );
    return {
      network: 'TON',
      reference: request.reference,
      from: signed.from,
      txHash: signed.messageHash,
      raw: signed.boc,
      sequence,
      maxFee: quote.maxFee,
      expiresAt: new Date(validUntil * 1000),
    };
  }

  async broadcast(signed: SignedPayout): Promise<void> {
    this.assertOwn(signed);
    try {
      const { messageHash } = await this.deps.client.sendBoc(signed.raw);
      if (messageHash !== signed.txHash)
        throw new PayoutError('PAYOUT_INVALID', 'TON', `raw hashes to ${messageHash}, not ${signed.txHash}`);
    } catch (err) {
      if (!(err instanceof TonSendRejectedError)) throw err;
      if (err.exitCode === 33 && signed.sequence !== null) {
        // Seqno mismatch: if the wallet moved past ours, the seqno was consumed — by this message (a second
        // broadcast) under the allocator's discipline; status() confirms by finding its transaction.
        const seqno = BigInt(await this.deps.client.getSeqno(signed.from));
        if (seqno > signed.sequence) return;
        throw new PayoutError(
          'PAYOUT_SEQUENCE_USED',
          'TON',
          `stale seqno ${signed.sequence}: the wallet is at ${seqno}; sign it again`,
          { cause: err },
        );
      }
      if (err.exitCode === 36)
        throw new PayoutError('PAYOUT_REJECTED', 'TON', 'expired (valid_until passed) unsent: sign it again', {
          cause: err,
        });
      if (err.exitCode === -14)
        throw new PayoutError('PAYOUT_WOULD_FAIL', 'TON', `the wallet cannot pay its gas: ${err.message}`, {
          cause: err,
        });
      throw new PayoutError('PAYOUT_REJECTED', 'TON', err.message, { cause: err });
    }
  }

  async status(signed: SignedPayout): Promise<PayoutStatus> {
    this.assertOwn(signed);
    const { client } = this.deps;
    const found = (await client.getTransactionsByMessage(signed.txHash, 'in')).find((t) =>
      sameAccount(t.account, signed.from),
    );
    if (!found) {
      const expired =
        signed.expiresAt !== null && this.now() > signed.expiresAt.getTime() / 1000 + INDEXER_GRACE_SECONDS;
      if (expired) return { state: 'FAILED', confirmations: 0, fee: null, blockNumber: null };
      const consumed = signed.sequence !== null && BigInt(await client.getSeqno(signed.from)) > signed.sequence;
      return { state: consumed ? 'PENDING' : 'UNKNOWN', confirmations: 0, fee: null, blockNumber: null };
    }
    const head = await client.getMasterchainInfo();
    const mc = found.mcSeqno;
    const confirmations = mc === null ? 0 : Math.max(0, head.seqno - mc + 1);
    let ok = succeeded(found) && found.outMsgs.length > 0;
    let settled = true;
    const fee = found.totalFees;
    if (ok && this.isJettonRaw(signed)) {
      // The transfer happens in our jetton wallet's transaction, caused by the wallet's outgoing message.
      const hop = found.outMsgs[0]!;
      const next = (await client.getTransactionsByMessage(hop.hash, 'in'))[0];
      if (!next || next.mcSeqno === null) settled = false;
      else ok = succeeded(next);
    }
    const final = settled && confirmations >= this.settings.confirmations;
    return {
      state: !final ? 'PENDING' : ok ? 'CONFIRMED' : 'FAILED',
      confirmations,
      fee,
      blockNumber: mc === null ? null : BigInt(mc),
    };
  }

  /** TON has no replace-by-fee: a message lands or expires (valid_until); after expiry sign a new one. */
  replace(): Promise<SignedPayout | null> {
    return Promise.resolve(null);
  }

  private isJetton(request: PayoutRequest): boolean {
    if (request.network !== 'TON') throw new PayoutError('PAYOUT_INVALID', 'TON', `request is for ${request.network}`);
    if (typeof request.amount !== 'bigint' || request.amount <= 0n)
      throw new PayoutError('PAYOUT_INVALID', 'TON', 'amount must be a positive bigint');
    const asset = assetInfo(request.asset);
    if (!asset || asset.network !== 'TON')
      throw new PayoutError('PAYOUT_INVALID', 'TON', `${request.asset} is not an asset of TON`);
    return asset.contract !== null;
  }

  private async transferOf(request: PayoutRequest, from: string): Promise<TonTransfer> {
    const memo = request.memo ?? undefined;
    if (!this.isJetton(request))
      return { asset: 'native', to: request.to, amount: request.amount, ...(memo ? { comment: memo } : {}) };
    const jettonWallet = await this.deps.client.getJettonWalletAddress(this.settings.usdtMaster, from);
    return {
      asset: 'jetton',
      jettonWallet,
      to: request.to,
      amount: request.amount,
      attachedTon: this.settings.jettonAttachedNanoton,
      forwardTonAmount: FORWARD_TON,
      ...(memo ? { forwardComment: memo } : {}),
    };
  }

  /** Whether the signed message is a jetton transfer (its internal message's body starts with the transfer op). */
  private isJettonRaw(signed: SignedPayout): boolean {
    const ext = loadMessage(Cell.fromBase64(signed.raw).beginParse());
    const body = ext.body.beginParse();
    body.skip(512 + 32 + 32 + 32 + 8 + 8);
    const internalMessage = loadMessageRelaxed(body.loadRef().beginParse());
    const inner = internalMessage.body.beginParse();
    return inner.remainingBits >= 32 && inner.loadUint(32) === JETTON_TRANSFER_OP;
  }

  private assertOwn(signed: SignedPayout): void {
    if (signed.network !== 'TON')
      throw new PayoutError('PAYOUT_INVALID', 'TON', `signed payout is for ${signed.network}`);
  }
}
