import type { SupportConfig } from '../../platform/config/config.js';
import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import { runPeriodically } from '../../platform/service/periodic.js';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/service/subgraph.js';
import { createS3ObjectStore } from '../../platform/storage/s3.object-store.js';
import type { ObjectStore } from '../../platform/storage/object-store.port.js';
import { noVirusScan, type VirusScanner } from '../../platform/storage/virus-scan.port.js';
import { supportMigrations } from '../../migrations/support/index.js';
import { createTelegramBotClient } from '../../providers/telegram-bot/index.js';
import { startStaffAlertConsumer } from './alert/alert.consumer.js';
import { StaffAlertSender } from './alert/alert.sender.js';
import { StaffAlert } from './alert/staff-alert.entity.js';
import { TicketAttachment } from './attachment/attachment.entity.js';
import { AttachmentResolver, TicketAttachmentsResolver } from './attachment/attachment.resolver.js';
import { AttachmentService } from './attachment/attachment.service.js';
import type { SupportServices } from './context.js';
import { startLinkDirectoryConsumer } from './link/link-directory.consumer.js';
import { LinkOwner } from './link/link-owner.entity.js';
import { SlaResolver } from './ticket/sla.resolver.js';
import { SlaService } from './ticket/sla.service.js';
import { Ticket, TicketLink, TicketMessage } from './ticket/ticket.entity.js';
import { ticketReference, userReference } from './ticket/ticket.reference.js';
import { SupportUserResolver, TicketResolver } from './ticket/ticket.resolver.js';
import { TicketService } from './ticket/ticket.service.js';
import {
  DepositRef,
  OrderRef,
  PaymentRef,
  SupportUser,
  TransactionRef,
  VoucherRef,
  WithdrawalRef,
} from './ticket/ticket.type.js';
import { createSupportMetrics, type SupportMetrics } from './support.metrics.js';

export function buildSupportServices(
  deps: Pick<SubgraphDeps<SupportConfig>, 'config' | 'log'>,
  store: ObjectStore,
  metrics: SupportMetrics,
  scanner: VirusScanner = noVirusScan,
): SupportServices {
  const log = deps.log.child({ component: 'support' });
  const settings = deps.config.support;
  return {
    tickets: new TicketService({ reopenDays: settings.reopenDays }, metrics, log),
    attachments: new AttachmentService(store, scanner, log),
    sla: new SlaService(settings, metrics, log),
  };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildSupportSchema() {
  return buildSubgraph({
    resolvers: [TicketResolver, SupportUserResolver, AttachmentResolver, TicketAttachmentsResolver, SlaResolver],
    orphanedTypes: [SupportUser, DepositRef, TransactionRef, WithdrawalRef, OrderRef, VoucherRef, PaymentRef],
    references: { Ticket: ticketReference, User: userReference },
  });
}

export const supportSubgraph: SubgraphDefinition<SupportConfig> = {
  name: 'support',
  entities: [Ticket, TicketMessage, TicketLink, LinkOwner, TicketAttachment, StaffAlert],
  migrations: supportMigrations,
  async build(deps) {
    const store = createS3ObjectStore(deps.config.storage);
    const metrics = createSupportMetrics(deps.metrics.registry);
    const services = buildSupportServices(deps, store, metrics);
    const schema = await buildSupportSchema();
    const background: { stop(): Promise<void> }[] = [{ stop: () => Promise.resolve(store.close()) }];
    background.unshift(await startLinkDirectoryConsumer(deps));
    const settings = deps.config.support;
    background.unshift(
      runPeriodically('sla-breaches', settings.slaScanSeconds * 1000, deps.log, () =>
        services.sla.markBreaches(deps.orm.em),
      ),
    );
    if (settings.alerts) {
      const alertLog = deps.log.child({ component: 'staff-alerts' });
      const client = createTelegramBotClient({
        baseUrl: deps.config.telegramBotApi.baseUrl,
        token: settings.alerts.botToken,
        log: alertLog,
        onFloodWait: () => metrics.alertFloodWaits.inc(),
      });
      const sender = new StaffAlertSender(client, metrics, alertLog);
      background.unshift(await startStaffAlertConsumer(deps, settings.alerts.chatId));
      background.unshift(runPeriodically('staff-alerts', 500, alertLog, () => sender.sendPending(deps.orm.em)));
    }
    return { schema, background, context: () => ({ support: services }) };
  },
};
