import type { SubgraphContext } from '../../platform/graphql/subgraph-context.js';
import type { AttachmentService } from './attachment/attachment.service.js';
import type { SlaService } from './ticket/sla.service.js';
import type { TicketService } from './ticket/ticket.service.js';

export interface SupportServices {
  tickets: TicketService;
  attachments: AttachmentService;
  sla: SlaService;
}

export interface SupportContext extends SubgraphContext {
  support: SupportServices;
}
