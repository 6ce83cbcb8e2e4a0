import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import {
  badInput,
  conflict,
  DomainError,
  ErrorCode,
  forbidden,
  notFound,
  unauthenticated,
} from '../../../platform/errors.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../../platform/graphql/keyset-cursor.js';
import { isId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { LinkOwner } from '../link/link-owner.entity.js';
import type { SupportMetrics } from '../support.metrics.js';
import { isSupportStaff, mayAssignOthers } from './ticket.access.js';
import {
  Ticket,
  TicketLink,
  TicketMessage,
  type LinkKind,
  type TicketCategory,
  type TicketStatus,
} from './ticket.entity.js';
import {
  TicketEvents,
  type TicketAssignedPayload,
  type TicketClosedPayload,
  type TicketOpenedPayload,
  type TicketRepliedPayload,
  type TicketResolvedPayload,
} from './ticket.events.js';
import { MAX_BODY, MAX_COMMENT, MAX_SUBJECT, plainText } from './plain-text.js';

const SOURCE = 'support';
const TICKET_ID = /^tkt_[0-9a-hjkmnp-tv-z]{26}$/;
/** Links one ticket may carry (one per kind). */
const MAX_LINKS = 6;
/** Time column rendered to the microsecond, as keyset cursors carry it. */
const micro = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface OpenTicketInput {
  subject: string;
  body: string;
  category: TicketCategory;
  links: { kind: LinkKind; id: string }[];
}

export interface QueueFilter {
  status: TicketStatus | null;
  category: TicketCategory | null;
  assigneeId: string | null;
  unassigned: boolean;
  /** Only tickets waiting for staff (OPEN, WAITING_ON_STAFF), longest waiting first; else newest first. */
  waitingOnStaff: boolean;
}

export interface TicketPage {
  rows: Ticket[];
  cursors: string[];
  hasNextPage: boolean;
}

export interface SupportRules {
  reopenDays: number;
}

/**
 * Tickets: opening (with checked links), the thread (user replies, staff replies, internal notes), assignment,
 * the status machine and the staff queue. Every change and its outbox event commit in one transaction under the
 * ticket's row lock. Someone else's ticket is NOT_FOUND (its existence is not revealed); staff-only actions by a
 * user are FORBIDDEN.
 */
export class TicketService {
  constructor(
    private readonly rules: SupportRules,
    private readonly metrics: SupportMetrics,
    private readonly log: Logger,
  ) {}

  async open(em: EntityManager, viewer: Viewer, input: OpenTicketInput): Promise<Ticket> {
    const userId = requireUser(viewer);
    const subject = plainText(input.subject, 'subject', MAX_SUBJECT);
    const body = plainText(input.body, 'body', MAX_BODY);
    if (input.links.length > MAX_LINKS) throw badInput(`At most ${MAX_LINKS} links`, { field: 'links' });
    const kinds = new Set<string>();
    for (const link of input.links) {
      if (kinds.has(link.kind)) throw badInput(`One ${link.kind} link per ticket`, { field: 'links', kind: link.kind });
      kinds.add(link.kind);
      if (!/^[A-Za-z0-9_:-]{1,100}$/.test(link.id)) throw badInput('Not an id', { field: 'links', kind: link.kind });
    }
    if (input.links.length) {
      const owned = await em.find(LinkOwner, {
        userId,
        $or: input.links.map((l) => ({ kind: l.kind, objectId: l.id })),
      });
      for (const link of input.links)
        if (!owned.some((o) => o.kind === link.kind && o.objectId === link.id))
          throw new DomainError(ErrorCode.NOT_FOUND, `${link.kind} not found`, { kind: link.kind, id: link.id });
    }
    const ticket = await em.transactional(async (tx) => {
      const row = tx.create(Ticket, { userId, subject, category: input.category });
      await tx.flush(); // the ticket before the rows that reference it (no ORM relations: ids only)
      const message = tx.create(TicketMessage, { ticketId: row.id, authorId: userId, authorRole: 'USER', body });
      for (const link of input.links) tx.create(TicketLink, { ticketId: row.id, kind: link.kind, objectId: link.id });
      recordEvent<TicketOpenedPayload>(tx, TicketEvents.opened, SOURCE, {
        ticketId: row.id,
        userId,
        category: row.category,
        messageId: message.id,
      });
      return row;
    });
    this.log.info({ ticketId: ticket.id, userId, category: ticket.category }, 'ticket opened');
    return ticket;
  }

  /**
   * A public reply. The owner's reply puts the ticket back in the staff queue (a RESOLVED one opens again within
   * SUPPORT_REOPEN_DAYS); a staff reply hands it to the user and is the first response if none was given.
   */
  async reply(em: EntityManager, viewer: Viewer, ticketId: string, text: string): Promise<TicketMessage> {
    const actor = requireUser(viewer);
    const body = plainText(text, 'body', MAX_BODY);
    return em.transactional(async (tx) => {
      const ticket = await this.lockVisible(tx, viewer, ticketId);
      const now = new Date();
      const asOwner = ticket.userId === actor;
      let reopened = false;
      if (ticket.status === 'CLOSED')
        throw conflict('This ticket is closed: open a new one', { reason: 'TICKET_CLOSED' });
      if (asOwner) {
        if (ticket.status === 'RESOLVED') {
          const until = ticket.resolvedAt!.getTime() + this.rules.reopenDays * 86_400_000;
          if (now.getTime() > until)
            throw conflict(`Resolved more than ${this.rules.reopenDays} days ago: open a new ticket`, {
              reason: 'REOPEN_WINDOW_PASSED',
            });
          reopened = true;
          ticket.resolvedAt = null;
        }
        if (ticket.status !== 'OPEN') {
          ticket.status = 'WAITING_ON_STAFF';
          ticket.waitingSince = now;
        }
      } else {
        if (ticket.status === 'RESOLVED') throw conflict('This ticket is resolved', { reason: 'TICKET_RESOLVED' });
        if (!ticket.firstResponseAt) {
          ticket.firstResponseAt = now;
          this.metrics.firstResponse.observe((now.getTime() - ticket.createdAt.getTime()) / 1000);
        }
        ticket.status = 'WAITING_ON_USER';
        ticket.waitingSince = null;
      }
      ticket.updatedAt = now;
      const message = tx.create(TicketMessage, {
        ticketId: ticket.id,
        authorId: actor,
        authorRole: asOwner ? 'USER' : 'STAFF',
        body,
        createdAt: now,
      });
      recordEvent<TicketRepliedPayload>(tx, TicketEvents.replied, SOURCE, {
        ticketId: ticket.id,
        userId: ticket.userId,
        messageId: message.id,
        authorRole: message.authorRole,
        internal: false,
        reopened,
      });
      return message;
    });
  }

  /** A staff-only note in the thread: the user never sees it; the status does not change. */
  async note(em: EntityManager, viewer: Viewer, ticketId: string, text: string): Promise<TicketMessage> {
    const actor = requireStaff(viewer);
    const body = plainText(text, 'body', MAX_BODY);
    return em.transactional(async (tx) => {
      const ticket = await this.lockVisible(tx, viewer, ticketId);
      ticket.updatedAt = new Date();
      const message = tx.create(TicketMessage, {
        ticketId: ticket.id,
        authorId: actor,
        authorRole: 'STAFF',
        internal: true,
        body,
      });
      recordEvent<TicketRepliedPayload>(tx, TicketEvents.replied, SOURCE, {
        ticketId: ticket.id,
        userId: ticket.userId,
        messageId: message.id,
        authorRole: 'STAFF',
        internal: true,
        reopened: false,
      });
      return message;
    });
  }

  /** Assigns to `assigneeId` (null: unassign). Support staff take tickets themselves; tickets:assign assigns anyone. */
  async assign(em: EntityManager, viewer: Viewer, ticketId: string, assigneeId: string | null): Promise<Ticket> {
    const actor = requireStaff(viewer);
    if (assigneeId !== null && !isId('usr', assigneeId)) throw badInput('Not a user id', { field: 'assigneeId' });
    if (assigneeId !== actor && !mayAssignOthers(viewer))
      throw forbidden('Assigning a ticket to someone else needs the tickets:assign claim');
    return em.transactional(async (tx) => {
      const ticket = await this.lockVisible(tx, viewer, ticketId);
      if (assigneeId === ticket.userId)
        throw badInput('The ticket’s own user cannot handle it', { field: 'assigneeId' });
      if (ticket.assigneeId === assigneeId) return ticket;
      ticket.assigneeId = assigneeId;
      ticket.updatedAt = new Date();
      recordEvent<TicketAssignedPayload>(tx, TicketEvents.assigned, SOURCE, {
        ticketId: ticket.id,
        userId: ticket.userId,
        assigneeId,
        assignedBy: actor,
      });
      return ticket;
    });
  }

  async resolve(em: EntityManager, viewer: Viewer, ticketId: string): Promise<Ticket> {
    const actor = requireStaff(viewer);
    return em.transactional(async (tx) => {
      const ticket = await this.lockVisible(tx, viewer, ticketId);
      if (ticket.status === 'RESOLVED') return ticket;
      if (ticket.status === 'CLOSED') throw conflict('This ticket is closed', { reason: 'TICKET_CLOSED' });
      const now = new Date();
      ticket.status = 'RESOLVED';
      ticket.resolvedAt = now;
      ticket.waitingSince = null;
      ticket.updatedAt = now;
      this.metrics.resolution.observe((now.getTime() - ticket.createdAt.getTime()) / 1000);
      recordEvent<TicketResolvedPayload>(tx, TicketEvents.resolved, SOURCE, {
        ticketId: ticket.id,
        userId: ticket.userId,
        resolvedBy: actor,
      });
      return ticket;
    });
  }

  /** The owner or staff close a ticket for good (a closed ticket takes no replies). */
  async close(em: EntityManager, viewer: Viewer, ticketId: string): Promise<Ticket> {
    const actor = requireUser(viewer);
    return em.transactional(async (tx) => {
      const ticket = await this.lockVisible(tx, viewer, ticketId);
      if (ticket.status === 'CLOSED') return ticket;
      const now = new Date();
      ticket.status = 'CLOSED';
      ticket.closedAt = now;
      ticket.waitingSince = null;
      ticket.updatedAt = now;
      recordEvent<TicketClosedPayload>(tx, TicketEvents.closed, SOURCE, {
        ticketId: ticket.id,
        userId: ticket.userId,
        closedBy: actor,
      });
      return ticket;
    });
  }

  /** The owner rates a RESOLVED or CLOSED ticket 1–5 (again to change it). */
  async rate(
    em: EntityManager,
    viewer: Viewer,
    ticketId: string,
    rating: number,
    comment: string | null,
  ): Promise<Ticket> {
    const actor = requireUser(viewer);
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw badInput('rating is 1 to 5', { field: 'rating' });
    const text = comment === null || comment === '' ? null : plainText(comment, 'comment', MAX_COMMENT);
    return em.transactional(async (tx) => {
      const ticket = await this.lockVisible(tx, viewer, ticketId);
      if (ticket.userId !== actor) throw forbidden('Only the ticket’s user rates it');
      if (ticket.status !== 'RESOLVED' && ticket.status !== 'CLOSED')
        throw conflict('Rate a ticket once it is resolved', { reason: 'NOT_RESOLVED' });
      ticket.rating = rating;
      ticket.ratingComment = text;
      ticket.updatedAt = new Date();
      return ticket;
    });
  }

  /** One ticket for its owner or support staff; anyone else gets NOT_FOUND. */
  async get(em: EntityManager, viewer: Viewer, ticketId: string): Promise<Ticket> {
    requireUser(viewer);
    const ticket = TICKET_ID.test(ticketId) ? await em.findOne(Ticket, { id: ticketId }) : null;
    if (!ticket || !canSee(viewer, ticket)) throw notFound('Ticket', ticketId);
    return ticket;
  }

  /** Tickets by id that the viewer may see (the others are null): the `_entities` batch. */
  async visibleByIds(em: EntityManager, viewer: Viewer, ids: readonly string[]): Promise<Ticket[]> {
    const wanted = ids.filter((id) => TICKET_ID.test(id));
    if (!wanted.length || !viewer.userId) return [];
    const rows = await em.find(Ticket, { id: { $in: wanted } });
    return rows.filter((t) => canSee(viewer, t));
  }

  /** The thread, oldest first: internal notes for support staff only. */
  async messagesOf(em: EntityManager, viewer: Viewer, ticketIds: readonly string[]): Promise<TicketMessage[][]> {
    const staff = isSupportStaff(viewer);
    const rows = await em.find(
      TicketMessage,
      { ticketId: { $in: [...ticketIds] }, ...(staff ? {} : { internal: false }) },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return ticketIds.map((id) => rows.filter((m) => m.ticketId === id));
  }

  async linksOf(em: EntityManager, ticketIds: readonly string[]): Promise<TicketLink[][]> {
    const rows = await em.find(TicketLink, { ticketId: { $in: [...ticketIds] } });
    return ticketIds.map((id) => rows.filter((l) => l.ticketId === id));
  }

  /** A user's own tickets (or any user's, for support staff), newest first. */
  async ofUser(
    em: EntityManager,
    viewer: Viewer,
    userId: string,
    status: TicketStatus | null,
    first: number,
    after: string | null,
  ): Promise<TicketPage> {
    requireUser(viewer);
    if (viewer.userId !== userId && !isSupportStaff(viewer)) throw forbidden('Your own tickets only');
    const where = [`"user_id" = ?`];
    const params: unknown[] = [userId];
    if (status) {
      where.push(`"status" = ?`);
      params.push(status);
    }
    return this.page(em, where, params, 'created_at', 'desc', first, after);
  }

  /** The staff queue. */
  async queue(
    em: EntityManager,
    viewer: Viewer,
    filter: QueueFilter,
    first: number,
    after: string | null,
  ): Promise<TicketPage> {
    requireStaff(viewer);
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.waitingOnStaff) where.push(`"waiting_since" is not null`);
    if (filter.status) {
      where.push(`"status" = ?`);
      params.push(filter.status);
    }
    if (filter.category) {
      where.push(`"category" = ?`);
      params.push(filter.category);
    }
    if (filter.unassigned) where.push(`"assignee_id" is null`);
    else if (filter.assigneeId) {
      where.push(`"assignee_id" = ?`);
      params.push(filter.assigneeId);
    }
    return filter.waitingOnStaff
      ? this.page(em, where, params, 'waiting_since', 'asc', first, after)
      : this.page(em, where, params, 'created_at', 'desc', first, after);
  }

  /** One keyset page ordered by (time column, id), with one row more to know whether another page follows. */
  private async page(
    em: EntityManager,
    where: string[],
    params: unknown[],
    column: 'created_at' | 'waiting_since',
    direction: 'asc' | 'desc',
    first: number,
    after: string | null,
  ): Promise<TicketPage> {
    if (!Number.isInteger(first) || first < 1 || first > 100) throw badInput('first is 1 to 100', { field: 'first' });
    const conditions = [...where];
    const values = [...params];
    if (after) {
      const cursor = decodeKeysetCursor(after, TICKET_ID);
      const op = direction === 'asc' ? '>' : '<';
      conditions.push(`("${column}", "id") ${op} (?::timestamptz, ?)`);
      values.push(cursor.time, cursor.id);
    }
    const sql = `select *, ${micro(`"${column}"`)} as "cursor_time" from "support"."ticket"
      ${conditions.length ? `where ${conditions.join(' and ')}` : ''}
      order by "${column}" ${direction}, "id" ${direction} limit ${first + 1}`;
    const rows = await em.getConnection().execute<Record<string, unknown>[]>(sql, values);
    const page = rows.slice(0, first);
    return {
      rows: page.map((r) => em.map(Ticket, r)),
      cursors: page.map((r) => encodeKeysetCursor(r.cursor_time as string, r.id as string)),
      hasNextPage: rows.length > first,
    };
  }

  /** The ticket under its row lock, if the viewer may act on it. */
  private async lockVisible(tx: EntityManager, viewer: Viewer, ticketId: string): Promise<Ticket> {
    const ticket = TICKET_ID.test(ticketId)
      ? await tx.findOne(Ticket, { id: ticketId }, { lockMode: LockMode.PESSIMISTIC_WRITE })
      : null;
    if (!ticket || !canSee(viewer, ticket)) throw notFound('Ticket', ticketId);
    return ticket;
  }
}

function canSee(viewer: Viewer, ticket: Ticket): boolean {
  return ticket.userId === viewer.userId || isSupportStaff(viewer);
}

function requireUser(viewer: Viewer): string {
  if (!viewer.userId) throw unauthenticated();
  return viewer.userId;
}

function requireStaff(viewer: Viewer): string {
  const userId = requireUser(viewer);
  if (!isSupportStaff(viewer)) throw forbidden('Support staff only');
  return userId;
}
