import type { AuthorRole, TicketCategory } from './ticket.entity.js';

/**
 * Events the support subgraph publishes through its outbox (subjects `support.ticket.<verb>`). Payloads carry
 * keys and facts, never message bodies: a consumer that needs the text asks the API. `userId` is always the
 * ticket's owner (the gateway's per-viewer filter of ticketUpdated reads it).
 */
export const TicketEvents = {
  opened: 'support.ticket.opened',
  replied: 'support.ticket.replied',
  assigned: 'support.ticket.assigned',
  resolved: 'support.ticket.resolved',
  closed: 'support.ticket.closed',
  slaBreached: 'support.ticket.sla-breached',
} as const;

export interface TicketOpenedPayload {
  ticketId: string;
  userId: string;
  category: TicketCategory;
  messageId: string;
}

/** A public reply (user or staff) or, with `internal: true`, a staff-only note. */
export interface TicketRepliedPayload {
  ticketId: string;
  userId: string;
  messageId: string;
  authorRole: AuthorRole;
  internal: boolean;
  /** A user's reply that opened a RESOLVED ticket again. */
  reopened: boolean;
}

export interface TicketAssignedPayload {
  ticketId: string;
  userId: string;
  assigneeId: string | null;
  assignedBy: string;
}

export interface TicketResolvedPayload {
  ticketId: string;
  userId: string;
  resolvedBy: string;
}

export interface TicketClosedPayload {
  ticketId: string;
  userId: string;
  closedBy: string;
}

/** No public staff answer within SUPPORT_FIRST_RESPONSE_SLA_MINUTES of opening. */
export interface TicketSlaBreachedPayload {
  ticketId: string;
  userId: string;
  openedAt: string;
  slaMinutes: number;
}
