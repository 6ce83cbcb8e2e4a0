import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../platform/auth/viewer.js';
import type { FeeRule, LimitRule } from '../../../platform/config/ledger-rules.js';
import { badInput, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { accounts } from '../core/accounts.js';
import { checkAmount, checkAsset, checkIdempotencyKey, checkText } from '../core/inputs.js';
import type { Ledger, LedgerResult } from '../core/ledger.js';
import { draft, type LevelLimitClaim, type Posting, type TransactionDraft } from '../core/ledger.types.js';
import type { LevelLimits } from '../limits/limits.service.js';
import { requestHash } from '../core/request-hash.js';
import type { DebtService } from '../debt/debt.service.js';
import { normalizeUsername, type UserDirectory } from '../directory/directory.service.js';
import type { AssetSwitches } from './asset-switches.js';

export interface TransferRequest {
  toUserId?: string | null;
  toUsername?: string | null;
  asset: string;
  /** Decimal in the asset's unit, e.g. "12.5". */
  amount: string;
  note?: string | null;
  idempotencyKey: string;
}

/** The fee on `amount`: fixed plus the basis points, rounded up to the next minor unit. */
export function feeFor(rule: FeeRule, amount: bigint): bigint {
  return rule.fixed + (amount * BigInt(rule.bps) + 9_999n) / 10_000n;
}

/**
 * User-to-user transfers (the GopherPay engine): all-or-nothing, the fee on top of the amount credited to
 * fees:<asset>, limits per transfer and per day, idempotent per sender and key.
 */
export class TransferService {
  constructor(
    private readonly ledger: Ledger,
    private readonly directory: UserDirectory,
    private readonly fees: Record<string, FeeRule>,
    private readonly limits: Record<string, LimitRule>,
    private readonly log: Logger,
    private readonly debts: DebtService,
    private readonly switches: AssetSwitches,
    private readonly levels: LevelLimits,
  ) {}

  async transfer(em: EntityManager, viewer: Viewer, input: TransferRequest): Promise<LedgerResult> {
    const sender = viewer.userId;
    if (!sender) throw unauthenticated();
    const key = checkIdempotencyKey(input.idempotencyKey);
    const asset = checkAsset(input.asset);
    await this.switches.requireEnabled(em, asset.symbol, { scope: `transfer:${sender}`, key });
    const amount = checkAmount(input.amount, asset);
    const note = checkText(input.note, 'note', { max: 280 });
    const toUserId = input.toUserId?.trim() || null;
    const toUsername = input.toUsername ? normalizeUsername(input.toUsername) || null : null;
    if ((toUserId ? 1 : 0) + (toUsername ? 1 : 0) !== 1)
      throw badInput('Give exactly one of toUserId and toUsername', { field: 'toUserId' });
    if (toUserId === sender) throw badInput('You cannot transfer to yourself', { field: 'toUserId' });

    const limit = this.limits[asset.symbol];
    if (limit?.perTransfer != null && amount > limit.perTransfer) {
      return {
        type: 'LimitExceeded',
        asset: asset.symbol,
        period: 'TRANSFER',
        limit: limit.perTransfer,
        used: 0n,
        remaining: limit.perTransfer,
        currency: null,
        level: null,
      };
    }
    const recipient = toUserId
      ? (await this.directory.exists(em, toUserId))
        ? toUserId
        : null
      : await this.directory.byUsername(em, toUsername!);
    if (!recipient)
      return {
        type: 'RecipientNotFound',
        message: toUserId
          ? `No user ${toUserId} can receive transfers`
          : `No user @${toUsername} can receive transfers`,
      };
    if (recipient === sender) throw badInput('You cannot transfer to yourself', { field: 'toUsername' });
    await this.debts.assertCanSend(em, sender); // ACCOUNT_FROZEN: a withdrawal freeze or a debt stops transfers out too

    const fee = feeFor(this.fees[asset.symbol] ?? { fixed: 0n, bps: 0 }, amount);
    const from = accounts.available(sender, asset.symbol);
    const postings: Posting[] = [
      { source: from, destination: accounts.available(recipient, asset.symbol), asset: asset.symbol, amount },
    ];
    if (fee > 0n)
      postings.push({ source: from, destination: accounts.fees(asset.symbol), asset: asset.symbol, amount: fee });
    const transfer = draft({
      kind: 'TRANSFER',
      asset: asset.symbol,
      amount,
      fee,
      userId: sender,
      counterpartyId: recipient,
      note,
      actor: sender,
      postings,
      idempotency: {
        scope: `transfer:${sender}`,
        key,
        requestHash: requestHash('transfer', { to: toUserId ?? `@${toUsername}`, asset: asset.symbol, amount, note }),
      },
      dailyLimit: limit?.daily != null ? { cap: limit.daily, amount } : null,
    });
    const result = await this.ledger.commit(em, { ...transfer, levelLimit: await this.levelClaim(em, transfer) });
    if (result.type === 'Transaction' && !result.replayed)
      this.log.debug({ transactionId: result.transaction.id, asset: asset.symbol }, 'transfer committed');
    return result;
  }

  /**
   * The sender's level-limit claim (LEDGER_LEVEL_LIMITS), checked and recorded by commit_batch under the sender's
   * lock. A key already used needs none: its original answer is replayed untouched, whatever the prices now. A
   * new transfer without a fresh price is refused (PRICE_UNAVAILABLE, retryable, nothing recorded).
   */
  private async levelClaim(em: EntityManager, transfer: TransactionDraft): Promise<LevelLimitClaim | null> {
    if (!this.levels.enforced || (await this.ledger.claimed(em, transfer.idempotency!))) return null;
    return this.levels.claimFor(em, transfer.userId!, transfer.asset, transfer.amount);
  }
}
