import { Counter, Histogram } from 'prom-client';
import type { NotifierConfig } from '../../platform/config/config.js';
import { connectNats, pingNats, requireEventStream, runDurableConsumer } from '../../platform/bus/nats.js';
import { databaseSource, migrateSubgraph, openSubgraphDatabase, pingDatabase } from '../../platform/db/orm.js';
import { Metrics } from '../../platform/http/metrics.js';
import { createHttpServer, listen } from '../../platform/http/server.js';
import type { Logger } from '../../platform/logger.js';
import { runPeriodically } from '../../platform/service/periodic.js';
import {
  ChatPacer,
  createTelegramBotClient,
  isGroup,
  type TelegramBotClient,
} from '../../providers/telegram-bot/index.js';
import { NOTIFIER_SCHEMA, notifierMigrations } from '../../migrations/notifier/index.js';
import { NOTIFYING_SUBJECTS } from './event-notifications.js';
import {
  applyIdentityEvent,
  NOTIFICATIONS_CONSUMER,
  queueNotifications,
  RECIPIENT_SUBJECTS,
  RECIPIENTS_CONSUMER,
} from './notifier.consumer.js';
import { NotificationSender } from './notifier.sender.js';
import { startLanes } from './lanes.js';

export interface RunningNotifier {
  url: string;
  close(): Promise<void>;
}

export interface NotifierOptions {
  /** A Bot API client of one's own (tests); by default one from config with the configured pacing. */
  client?: TelegramBotClient;
}

/**
 * The notifier worker: durable consumers turn events into `notifier.message` rows (inbox, one row per event and
 * user) and keep the recipients projection from identity's events; send lanes deliver the rows to Telegram at its
 * pace. Health and metrics on its own port.
 */
export async function startNotifier(
  config: NotifierConfig,
  log: Logger,
  port: number,
  options: NotifierOptions = {},
): Promise<RunningNotifier> {
  const s = config.notifier;
  const orm = await openSubgraphDatabase({
    schema: NOTIFIER_SCHEMA,
    url: config.database.url,
    poolMax: config.database.poolMax,
    entities: [],
    migrations: notifierMigrations,
    log,
  });
  const applied = await migrateSubgraph(orm, NOTIFIER_SCHEMA);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');

  const metrics = new Metrics('notifier');
  metrics.trackDatabase(databaseSource(orm));
  const sentTotal = new Counter({
    name: 'notifications_sent_total',
    help: 'Notifications handled by the sender, by category and final status (SENT, MUTED, BLOCKED, …)',
    labelNames: ['category', 'status'],
    registers: [metrics.registry],
  });
  const floodWaits = new Counter({
    name: 'notifier_telegram_flood_waits_total',
    help: 'Telegram 429 answers (the message waits retry_after and goes again)',
    registers: [metrics.registry],
  });
  const latency = new Histogram({
    name: 'notifier_event_to_message_seconds',
    help: 'From the event (occurredAt) to Telegram accepting its message',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [metrics.registry],
  });

  const pacer = new ChatPacer({ privateChatMs: s.chatGapMs, perSecond: s.messagesPerSecond });
  const client =
    options.client ??
    createTelegramBotClient({
      baseUrl: config.telegramBotApi.baseUrl,
      token: config.notifierBot.botToken,
      log: log.child({ component: 'telegram' }),
      pacer,
      // one attempt per call: a 429 sends the row back to the table until retry_after, so nothing waits in memory
      maxFloodWaits: 1,
      onFloodWait: () => floodWaits.inc(),
    });
  const sender = new NotificationSender(
    client,
    {
      miniAppUrl: s.miniAppUrl,
      recipientWaitSeconds: s.recipientWaitSeconds,
      crashAfterSend: s.crashAt === 'after-send',
      // the next message to this chat starts a gap after this call finished (groups: the pacer's 3 s already)
      onChatDone: (chatId) => pacer.penalize(chatId, isGroup(chatId) ? 0 : s.chatGapMs / 1000),
    },
    log.child({ component: 'sender' }),
    (category, outcome, occurredAt) => {
      sentTotal.inc({ category, status: outcome });
      if (outcome === 'SENT' && occurredAt) latency.observe((Date.now() - occurredAt.getTime()) / 1000);
    },
  );

  const nats = await connectNats(config.nats, 'notifier', log);
  const jsm = await nats.jetstreamManager();
  await requireEventStream(jsm, config.nats.stream, config.nats.subjectPrefix);
  const js = nats.jetstream();
  const bus = { js, jsm, stream: config.nats.stream, subjectPrefix: config.nats.subjectPrefix };

  await sender.settleAbandoned(orm.em);
  const lanes = startLanes(s.lanes, s.pollMs, log, async () => (await sender.sendNext(orm.em)) !== null);
  const settle = runPeriodically('settle-abandoned', 10_000, log, async () => {
    await sender.settleAbandoned(orm.em);
    return false;
  });
  const recipients = await runDurableConsumer({
    ...bus,
    durable: RECIPIENTS_CONSUMER,
    subjects: [...RECIPIENT_SUBJECTS],
    log: log.child({ consumer: RECIPIENTS_CONSUMER }),
    handle: (event) => applyIdentityEvent(orm.em, event),
  });
  const consumerLog = log.child({ consumer: NOTIFICATIONS_CONSUMER });
  const notifications = await runDurableConsumer({
    ...bus,
    durable: NOTIFICATIONS_CONSUMER,
    subjects: [...NOTIFYING_SUBJECTS],
    log: consumerLog,
    concurrency: 8,
    handle: async (event) => {
      await queueNotifications(orm.em, event, consumerLog);
      // test hook: the rows are committed, the event not acked yet (JetStream redelivers it to the next process)
      if (s.crashAt === 'after-queue') process.kill(process.pid, 'SIGKILL');
      lanes.wake();
    },
  });

  const http = createHttpServer({
    service: 'notifier',
    log,
    metrics,
    health: { database: () => pingDatabase(orm), nats: () => pingNats(nats) },
    routes: {},
  });
  const server = await listen(http, port, config.host);
  log.info({ health: `${server.url}/health`, lanes: s.lanes }, 'notifier running');
  return {
    url: server.url,
    async close() {
      await notifications.stop();
      await recipients.stop();
      await lanes.stop();
      await settle.stop();
      await server.close(1000);
      await nats.drain().catch(() => undefined);
      await orm.close(true);
    },
  };
}
