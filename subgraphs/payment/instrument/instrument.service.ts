import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { isStaff } from '../../../platform/auth/viewer.js';
import { DomainError, forbidden, notFound, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { FinnotechBanking, PersonName } from '../../../providers/finnotech/finnotech.port.js';
import type { HolderService } from '../holder/holder.service.js';
import type { SealedData } from '../holder/sealed-data.js';
import { PaymentErrors } from '../payment.errors.js';
import { BankAccount, BankCard } from './instrument.entity.js';
import { holderNameMatches, maskCard, normalizeCardNumber, normalizeIban } from './validation.js';

export function requireUser(viewer: Viewer): string {
  if (!viewer.userId) throw unauthenticated();
  return viewer.userId;
}

/** The user themselves, or staff. */
export function assertCanSee(viewer: Viewer, userId: string): void {
  if (!viewer.userId) throw unauthenticated();
  if (viewer.userId !== userId && !isStaff(viewer)) throw forbidden("Someone else's bank details");
}

/**
 * Bank cards and IBANs: accepted only when FinnoTech says their holder is the user's KYC name. The card number
 * is checked (Luhn), looked up at the bank, then dropped: only its mask and HMAC are kept. Never logged.
 */
export class InstrumentService {
  constructor(
    private readonly bank: FinnotechBanking,
    private readonly holders: HolderService,
    private readonly sealed: SealedData,
    private readonly log: Logger,
  ) {}

  async addCard(em: EntityManager, viewer: Viewer, cardNumber: string): Promise<BankCard> {
    const userId = requireUser(viewer);
    const parsed = normalizeCardNumber(cardNumber);
    if ('problem' in parsed) throw PaymentErrors.invalidCard(parsed.problem);
    const { card } = parsed;
    const cardIndex = this.sealed.cardIndex(card);
    const existing = await em.findOne(BankCard, { cardIndex });
    if (existing) {
      if (existing.userId === userId) return existing;
      throw PaymentErrors.instrumentTaken('card');
    }
    const kycName = await this.holders.nameOf(em, userId);
    if (!kycName) throw PaymentErrors.kycRequired();
    const holder = await this.ask(() => this.bank.cardHolder(card));
    if (!holderNameMatches(kycName, holder.name)) {
      this.log.info({ userId, card: maskCard(card) }, 'card refused: holder name differs from KYC');
      throw PaymentErrors.holderMismatch('card');
    }
    const row = em.create(BankCard, {
      userId,
      cardIndex,
      numberEnc: '',
      masked: maskCard(card),
      bankName: holder.bankName,
    });
    row.numberEnc = this.sealed.seal(`bank_card:${row.id}`, 'number', card);
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        em.clear();
        const winner = await em.findOne(BankCard, { cardIndex });
        if (winner?.userId === userId) return winner;
        throw PaymentErrors.instrumentTaken('card');
      }
      throw err;
    }
    this.log.info({ userId, cardId: row.id }, 'bank card verified');
    return row;
  }

  async addAccount(em: EntityManager, viewer: Viewer, ibanText: string): Promise<BankAccount> {
    const userId = requireUser(viewer);
    const parsed = normalizeIban(ibanText);
    if ('problem' in parsed) throw PaymentErrors.invalidIban(parsed.problem);
    const { iban } = parsed;
    const existing = await em.findOne(BankAccount, { iban });
    if (existing) {
      if (existing.userId === userId) return existing;
      throw PaymentErrors.instrumentTaken('iban');
    }
    const kycName = await this.holders.nameOf(em, userId);
    if (!kycName) throw PaymentErrors.kycRequired();
    const owner = await this.ask(() => this.bank.ibanInquiry(iban));
    // A joint account is accepted when one of its owners is the user; the transfer names that owner.
    const match = owner.owners.find((o) => holderNameMatches(kycName, `${o.firstName} ${o.lastName}`));
    if (!match) {
      this.log.info({ userId }, 'IBAN refused: owner name differs from KYC');
      throw PaymentErrors.holderMismatch('iban');
    }
    const row = em.create(BankAccount, { userId, iban, ownerEnc: '', bankName: owner.bankName });
    row.ownerEnc = this.sealed.seal(`bank_account:${row.id}`, 'owner', JSON.stringify(match));
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        em.clear();
        const winner = await em.findOne(BankAccount, { iban });
        if (winner?.userId === userId) return winner;
        throw PaymentErrors.instrumentTaken('iban');
      }
      throw err;
    }
    this.log.info({ userId, bankAccountId: row.id }, 'IBAN verified');
    return row;
  }

  numberOf(card: BankCard): string {
    return this.sealed.open(`bank_card:${card.id}`, 'number', card.numberEnc);
  }

  ownerOf(account: BankAccount): PersonName {
    return JSON.parse(this.sealed.open(`bank_account:${account.id}`, 'owner', account.ownerEnc)) as PersonName;
  }

  async cardsOf(em: EntityManager, viewer: Viewer, userIds: readonly string[]): Promise<BankCard[]> {
    for (const id of userIds) assertCanSee(viewer, id);
    return em.find(BankCard, { userId: { $in: [...userIds] } }, { orderBy: { id: 'asc' } });
  }

  async accountsOf(em: EntityManager, viewer: Viewer, userIds: readonly string[]): Promise<BankAccount[]> {
    for (const id of userIds) assertCanSee(viewer, id);
    return em.find(BankAccount, { userId: { $in: [...userIds] } }, { orderBy: { id: 'asc' } });
  }

  /** The viewer's own card (someone else's is reported like one that does not exist). */
  async ownCard(em: EntityManager, userId: string, cardId: string): Promise<BankCard> {
    const card = await em.findOne(BankCard, { id: cardId });
    if (!card || card.userId !== userId) throw notFound('BankCard', cardId);
    return card;
  }

  async ownAccount(em: EntityManager, userId: string, accountId: string): Promise<BankAccount> {
    const account = await em.findOne(BankAccount, { id: accountId });
    if (!account || account.userId !== userId) throw notFound('BankAccount', accountId);
    return account;
  }

  private async ask<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      // The message may carry the request URL (the card number is a path segment): log the error's name only.
      this.log.warn({ error: (err as Error).name }, 'FinnoTech inquiry failed');
      throw PaymentErrors.bankUnavailable();
    }
  }
}
