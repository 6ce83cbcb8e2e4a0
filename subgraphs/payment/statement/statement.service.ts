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
      const credits = page.lines.filter((l) => l.amountToman > 0n);
      result.lines += credits.length;
      const stored = await this.storePage(em.fork(), credits);
      result.credited += stored.credited;
      result.parked += stored.parked;
      result.duplicates += stored.duplicates;
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

  /**
   * One page of credit lines, in one transaction: every line inserted unless its refCode is known (`on conflict do
   * nothing`), and for each line inserted and matched its credit event. Matching reads the page's deposit ids and
   * card masks in two queries.
   */
  async storePage(
    em: EntityManager,
    lines: readonly StatementLine[],
  ): Promise<{ credited: number; parked: number; duplicates: number }> {
    const out = { credited: 0, parked: 0, duplicates: 0 };
    const unique = [...new Map(lines.map((l) => [l.refCode, l])).values()];
    out.duplicates += lines.length - unique.length;
    if (unique.length === 0) return out;
    const matches = await this.matchAll(em, unique);
    await em.transactional(async (tx) => {
      const values: unknown[] = [];
      const rows = unique.map((line) => {
        const match = matches.get(line.refCode) ?? null;
        values.push(
          newId('bcr'),
          line.refCode,
          line.amountToman.toString(),
          line.at,
          line.description.slice(0, 500),
          line.depositId,
          line.sourceCard ? maskedForm(line.sourceCard) : null,
          line.sourceIban,
          match ? 'CREDITED' : 'UNMATCHED',
          match?.userId ?? null,
          match?.by ?? null,
        );
        return '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
      });
      const inserted = await tx.getConnection().execute<{ ref_code: string; id: string }[]>(
        `insert into payment.bank_credit (id, ref_code, amount, booked_at, description, deposit_id, source_card, source_iban, status, user_id, matched_by)
         values ${rows.join(', ')} on conflict (ref_code) do nothing returning ref_code, id`,
        values,
        'all',
        tx.getTransactionContext(),
      );
      out.duplicates += unique.length - inserted.length;
      const byRef = new Map(unique.map((l) => [l.refCode, l]));
      for (const row of inserted) {
        const line = byRef.get(row.ref_code)!;
        const match = matches.get(line.refCode);
        if (!match) {
          out.parked++;
          this.log.info({ bankCreditId: row.id }, 'bank credit parked: no deposit id or verified card matched');
          continue;
        }
        out.credited++;
        recordEvent<DepositReceivedPayload>(tx, PaymentEvents.depositReceived, SOURCE, {
          reference: `bank:${line.refCode}`,
          userId: match.userId,
          amount: line.amountToman.toString(),
          channel: 'BANK_TRANSFER',
        });
      }
    });
    return out;
  }

  /**
   * Who each line is for: by its deposit id, else by the sender's card when exactly one verified card has that
   * BIN and last four digits; absent when neither.
   */
  private async matchAll(
    em: EntityManager,
    lines: readonly StatementLine[],
  ): Promise<Map<string, { userId: string; by: 'DEPOSIT_ID' | 'CARD' }>> {
    const depositIdOf = (l: StatementLine) => (l.depositId ? asciiDigits(l.depositId).replace(/\D/g, '') : '');
    const codes = [...new Set(lines.map(depositIdOf).filter(Boolean))];
    const masks = [
      ...new Set(lines.map((l) => (l.sourceCard ? maskedForm(l.sourceCard) : null)).filter((m): m is string => !!m)),
    ];
    const owners = new Map(
      codes.length ? (await em.find(DepositCode, { code: { $in: codes } })).map((d) => [d.code, d.userId]) : [],
    );
    const cardOwners = new Map<string, string[]>();
    if (masks.length)
      for (const c of await em.find(BankCard, { masked: { $in: masks } }))
        cardOwners.set(c.masked, [...(cardOwners.get(c.masked) ?? []), c.userId]);
    const out = new Map<string, { userId: string; by: 'DEPOSIT_ID' | 'CARD' }>();
    for (const line of lines) {
      const byCode = owners.get(depositIdOf(line));
      if (byCode) {
        out.set(line.refCode, { userId: byCode, by: 'DEPOSIT_ID' });
        continue;
      }
      const mask = line.sourceCard ? maskedForm(line.sourceCard) : null;
      const candidates = mask ? (cardOwners.get(mask) ?? []) : [];
      if (candidates.length === 1) out.set(line.refCode, { userId: candidates[0]!, by: 'CARD' });
    }
    return out;
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
