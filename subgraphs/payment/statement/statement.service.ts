import type { EntityManager } from '@mikro-orm/postgresql';
import { hasClaim, isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { badInput, conflict, forbidden, notFound } from '../../../platform/errors.js';
import { isId, newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import type { FinnotechBanking, StatementLine } from '../../../providers/finnotech/finnotech.port.js';
import { BankCard } from '../instrument/instrument.entity.js';
import { requireUser } from '../instrument/instrument.service.js';
import { asciiDigits, luhnValid, maskCard } from '../instrument/validation.js';
import { PaymentEvents, SOURCE, type DepositReceivedPayload } from '../payment.events.js';
import { BankCredit, DepositCode, StatementCursor } from './statement.entity.js';

const MAX_PAGE = 100;
/** The claim that lets staff assign a parked bank credit to a user: it credits money, like an adjustment. */
export const ASSIGN_CLAIM = 'ledger:adjust';

export interface StatementSettings {
  depositNumber: string;
  depositCard: string;
  depositIban: string;
}

export interface PollResult {
  pages: number;
  lines: number;
  credited: number;
  parked: number;
  duplicates: number;
}

/** A deposit id is the user's sequence number followed by its Luhn check digit (a typo is caught, not matched). */
export function depositCodeOf(sequence: bigint): string {
  const body = sequence.toString();
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

/**
 * Card-to-card and IBAN deposits, detected on the platform account's FinnoTech statement. Each bank line is stored
 * once by its refCode (unique), whatever window or page it is read in; a credit is matched to a user by the deposit
 * id it carries or by the sender's verified card (one owner), and credited in the same transaction that stores it.
 */
export class StatementService {
  constructor(
    private readonly settings: StatementSettings,
    private readonly log: Logger,
  ) {}

  /** The user's personal deposit id (allocated on first use) and where to send Toman. */
  async instructions(em: EntityManager, viewer: Viewer) {
    const userId = requireUser(viewer);
    let row = await em.findOne(DepositCode, { userId });
    if (!row) {
      const [seq] = await em
        .getConnection()
        .execute<{ n: string }[]>(`select nextval('payment.deposit_code_seq')::text as n`);
      await em
        .getConnection()
        .execute(`insert into payment.deposit_code (user_id, code) values (?, ?) on conflict (user_id) do nothing`, [
          userId,
          depositCodeOf(BigInt(seq!.n)),
        ]);
      row = await em.fork().findOneOrFail(DepositCode, { userId });
    }
    return { depositId: row.code, card: this.settings.depositCard, iban: this.settings.depositIban };
  }

  /**
   * Reads the statement from `readUntil - overlap` to `now`, page by page, and stores every credit line once.
   * The cursor moves to `now` after the last page; a crash before that only means the window is read again.
   */
  async poll(
    em: EntityManager,
    bank: FinnotechBanking,
    options: { now: Date; overlapMs: number; firstLookbackMs: number },
  ): Promise<PollResult> {
    const depositNumber = this.settings.depositNumber;
    const cursor = await em.fork().findOne(StatementCursor, { depositNumber });
    const from = new Date(
      (cursor?.readUntil.getTime() ?? options.now.getTime() - options.firstLookbackMs) - options.overlapMs,
    );
    const result: PollResult = { pages: 0, lines: 0, credited: 0, parked: 0, duplicates: 0 };
    let next: string | null = null;
    do {
      const page = await bank.statement({ depositNumber, from, to: options.now, cursor: next });
      result.pages++;
      for (const line of page.lines) {
        if (line.amountToman <= 0n) continue;
        result.lines++;
        const stored = await this.store(em.fork(), line);
        if (stored === 'DUPLICATE') result.duplicates++;
        else if (stored === 'CREDITED') result.credited++;
        else result.parked++;
      }
      next = page.next;
    } while (next);
    await em.getConnection().execute(
      `insert into payment.statement_cursor (deposit_number, read_until, updated_at) values (?, ?, now())
         on conflict (deposit_number) do update set read_until = greatest(payment.statement_cursor.read_until, excluded.read_until), updated_at = now()`,
      [depositNumber, options.now],
    );
    if (result.credited || result.parked) this.log.info({ ...result }, 'statement read');
    return result;
  }

  /** One line: stored (and credited when matched) in one transaction, or nothing when its refCode is known. */
  async store(em: EntityManager, line: StatementLine): Promise<'CREDITED' | 'UNMATCHED' | 'DUPLICATE'> {
    const match = await this.match(em, line);
    return em.transactional(async (tx) => {
      const sourceCard = line.sourceCard ? maskedForm(line.sourceCard) : null;
      const rows = await tx.getConnection().execute<{ id: string }[]>(
        `insert into payment.bank_credit (id, ref_code, amount, booked_at, description, deposit_id, source_card, source_iban, status, user_id, matched_by)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (ref_code) do nothing returning id`,
        [
          newId('bcr'),
          line.refCode,
          line.amountToman.toString(),
          line.at,
          line.description.slice(0, 500),
          line.depositId,
          sourceCard,
          line.sourceIban,
          match ? 'CREDITED' : 'UNMATCHED',
          match?.userId ?? null,
          match?.by ?? null,
        ],
        'all',
        tx.getTransactionContext(),
      );
      if (rows.length === 0) return 'DUPLICATE';
      if (!match) {
        this.log.info({ bankCreditId: rows[0]!.id }, 'bank credit parked: no deposit id or verified card matched');
        return 'UNMATCHED';
      }
      recordEvent<DepositReceivedPayload>(tx, PaymentEvents.depositReceived, SOURCE, {
        reference: `bank:${line.refCode}`,
        userId: match.userId,
        amount: line.amountToman.toString(),
        channel: 'BANK_TRANSFER',
      });
      return 'CREDITED';
    });
  }

  private async match(
    em: EntityManager,
    line: StatementLine,
  ): Promise<{ userId: string; by: 'DEPOSIT_ID' | 'CARD' } | null> {
    const depositId = line.depositId ? asciiDigits(line.depositId).replace(/\D/g, '') : '';
    if (depositId) {
      const row = await em.findOne(DepositCode, { code: depositId });
      if (row) return { userId: row.userId, by: 'DEPOSIT_ID' };
    }
    const masked = line.sourceCard ? maskedForm(line.sourceCard) : null;
    if (masked) {
      // A masked card identifies its owner only when one verified card has that BIN and those last four digits.
      const cards = await em.find(BankCard, { masked }, { limit: 2 });
      const owners = new Set(cards.map((c) => c.userId));
      if (cards.length === 1 && owners.size === 1) return { userId: cards[0]!.userId, by: 'CARD' };
    }
    return null;
  }

  async unmatched(em: EntityManager, viewer: Viewer, first: number, after: string | null) {
    this.requireStaff(viewer);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw badInput(`first must be 1..${MAX_PAGE}`, { field: 'first' });
    const cursor = after == null ? null : decodeCreditCursor(after);
    const rows = await em.find(
      BankCredit,
      cursor ? { status: 'UNMATCHED', id: { $gt: cursor } } : { status: 'UNMATCHED' },
      { orderBy: { id: 'asc' }, limit: first + 1 },
    );
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** Staff credit a parked line to a user, once (compare-and-set from UNMATCHED); never to themselves. */
  async assign(em: EntityManager, viewer: Viewer, creditId: string, userId: string): Promise<BankCredit> {
    const staffId = this.requireStaff(viewer);
    if (userId === staffId) throw forbidden('Nobody assigns a bank credit to their own account');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(userId)) throw badInput('userId is not a user id', { field: 'userId' });
    const credit = isId('bcr', creditId) ? await em.findOne(BankCredit, { id: creditId }) : null;
    if (!credit) throw notFound('BankCredit', creditId);
    const assigned = await em.transactional(async (tx) => {
      const moved = await tx.nativeUpdate(
        BankCredit,
        { id: creditId, status: 'UNMATCHED' },
        { status: 'ASSIGNED', userId, matchedBy: 'STAFF', assignedBy: staffId },
      );
      if (moved === 0) return false;
      recordEvent<DepositReceivedPayload>(tx, PaymentEvents.depositReceived, SOURCE, {
        reference: `bank:${credit.refCode}`,
        userId,
        amount: credit.amount.toString(),
        channel: 'BANK_TRANSFER',
      });
      return true;
    });
    if (!assigned) throw conflict('This bank credit is already credited', { reason: 'ALREADY_CREDITED' });
    this.log.info({ bankCreditId: creditId, userId, staffId }, 'bank credit assigned by staff');
    return em.fork().findOneOrFail(BankCredit, { id: creditId });
  }

  private requireStaff(viewer: Viewer): string {
    const userId = requireUser(viewer);
    if (!isStaff(viewer) || !hasClaim(viewer, ASSIGN_CLAIM)) throw forbidden(`Needs staff with ${ASSIGN_CLAIM}`);
    return userId;
  }
}

/** A card as a statement shows it, in our mask form (BIN + last four), or null when it shows less. */
export function maskedForm(reported: string): string | null {
  const shown = asciiDigits(reported).replace(/[\s-]/g, '');
  if (/^[0-9]{16}$/.test(shown)) return maskCard(shown);
  const m = /^([0-9]{6})[*xX#]{6}([0-9]{4})$/.exec(shown);
  return m ? `${m[1]}******${m[2]}` : null;
}

export function encodeCreditCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

function decodeCreditCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isId('bcr', id)) throw badInput('after is not a cursor from this connection', { field: 'after' });
  return id;
}
