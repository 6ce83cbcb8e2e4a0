import { readFileSync } from 'node:fs';
import {
  AckPolicy,
  DeliverPolicy,
  connect,
  credsAuthenticator,
  type ConnectionOptions,
  type ConsumerMessages,
  type JsMsg,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type { Logger } from '../logger.js';
import { SpanKind } from '@opentelemetry/api';
import { contextFromNatsHeaders } from '../telemetry/propagation.js';
import { inSpan } from '../telemetry/spans.js';
import type { NatsAuth } from '../config/nats-auth.js';
import { parseEvent, type EventEnvelope } from './envelope.js';
import { DOMAIN_EVENT_SUBJECTS, durableNames, EVENT_DOMAINS, inboxPrefix } from './permissions.js';

export type { NatsConnection, JetStreamClient, JetStreamManager };

/** Subjects that carry durable domain events (prices, `market.price.updated`, are core NATS only and stay out). */
export const DURABLE_SUBJECTS = EVENT_DOMAINS.map((domain) => DOMAIN_EVENT_SUBJECTS[domain]);

/** What connectNats needs from config.nats. */
export interface NatsSettings {
  url: string;
  auth: NatsAuth;
}

/** The password a service's NATS user has on the dev and test servers (devnet/nats); never used in production. */
export function devNatsPassword(user: string): string {
  return `dev-only-nats-${user}-change-me`;
}

/**
 * Connection options for `service` (a NATS user of platform/bus/permissions.ts): its credentials from
 * config (NATS_USER/NATS_PASSWORD or NATS_CREDS), or in development and tests the service's dev
 * password. Replies arrive on the user's own inbox prefix, the only inbox its permissions let it read.
 */
export function natsConnectionOptions(settings: NatsSettings, service: string): ConnectionOptions {
  const auth = settings.auth;
  const base: ConnectionOptions = { servers: settings.url, name: service };
  switch (auth.kind) {
    case 'password':
      return { ...base, user: auth.user, pass: auth.password, inboxPrefix: inboxPrefix(auth.user) };
    case 'creds':
      return {
        ...base,
        authenticator: credsAuthenticator(readFileSync(auth.credsFile)),
        inboxPrefix: inboxPrefix(auth.user ?? service),
      };
    case 'dev':
      return { ...base, user: service, pass: devNatsPassword(service), inboxPrefix: inboxPrefix(service) };
    case 'none':
      return base;
  }
}

export async function connectNats(settings: NatsSettings, service: string, log: Logger): Promise<NatsConnection> {
  if (settings.auth.kind === 'none')
    log.warn(
      'connecting to NATS without credentials: set NATS_USER and NATS_PASSWORD (or NATS_CREDS) for this service',
    );
  const nc = await connect({
    ...natsConnectionOptions(settings, service),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
  });
  void (async () => {
    for await (const status of nc.status()) {
      // A permissions violation is the server refusing something this service may not do: loud.
      if (status.type === 'error' && /permissions violation/i.test(String(status.data)))
        log.error({ nats: status.data }, 'nats refused an operation: permissions violation');
      else if (status.type === 'disconnect' || status.type === 'error')
        log.warn({ nats: status.type }, 'nats connection problem');
      else if (status.type === 'reconnect') log.info('nats reconnected');
    }
  })();
  return nc;
}

/**
 * Creates or updates the one events stream; duplicates within the window are dropped by Nats-Msg-Id.
 * Bus provisioning: only the `migrate` user may do this on an authorized server (npm run migrate, npm start,
 * the test harness). Services call requireEventStream.
 */
export async function ensureEventStream(jsm: JetStreamManager, name: string, subjectPrefix = ''): Promise<void> {
  const config = {
    name,
    subjects: DURABLE_SUBJECTS.map((s) => subjectPrefix + s),
    duplicate_window: 2 * 60 * 1_000_000_000,
  };
  try {
    await jsm.streams.info(name);
    await jsm.streams.update(name, config);
  } catch (err) {
    if (isStreamNotFound(err)) {
      await jsm.streams.add(config);
    } else {
      throw err;
    }
  }
}

/**
 * A service's start-up check that the events stream exists. Services may not create or change it (see
 * permissions.ts); on a server without authorization (an old shared dev server) a missing stream is still
 * created, so nothing else changes there.
 */
export async function requireEventStream(jsm: JetStreamManager, name: string, subjectPrefix = ''): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
  }
  try {
    await ensureEventStream(jsm, name, subjectPrefix);
  } catch (err) {
    throw new Error(
      `NATS stream ${name} does not exist and this service may not create it: run \`npm run migrate\` (it provisions the stream) (${(err as Error).message})`,
    );
  }
}

function isStreamNotFound(err: unknown): boolean {
  return (err as { code?: string }).code === '404' || /stream not found/i.test((err as Error).message);
}

/**
 * Bus provisioning, run with the migrations: creates or updates the events stream as the `migrate` user
 * (the one user allowed to). Fails fast when NATS is unreachable.
 */
export async function provisionEventStream(
  settings: NatsSettings & { stream: string; subjectPrefix: string },
  log: Logger,
): Promise<void> {
  const nc = await connect({ ...natsConnectionOptions(settings, 'migrate'), timeout: 5000 });
  try {
    await ensureEventStream(await nc.jetstreamManager(), settings.stream, settings.subjectPrefix);
    log.info({ stream: settings.stream }, 'events stream provisioned');
  } finally {
    await nc.close();
  }
}

export async function pingNats(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) throw new Error('connection closed');
  await nc.flush();
}

export interface DurableConsumerOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  durable: string;
  subjects: string[];
  /** Prepended to every subject (config.nats.subjectPrefix). */
  subjectPrefix: string;
  log: Logger;
  handle: (event: EventEnvelope) => Promise<void>;
  /** Delay before a failed event is offered again. */
  retryDelayMs?: number;
  /**
   * Events of one subject handled at once (default 1: one after the other, in stream order). Above 1 the handler
   * must not depend on the order of events within the subject (each is still acked only after its own handler).
   */
  concurrency?: number;
}

/**
 * A durable, explicitly-acked JetStream consumer. The handler must be idempotent (use applyOnce); an
 * event is acked only after the handler's transaction committed, and redelivered with a delay otherwise.
 */
export async function runDurableConsumer(options: DurableConsumerOptions): Promise<{ stop(): Promise<void> }> {
  // One durable per subject: multi-subject filters need NATS 2.10, and Debian ships 2.9. The names are the
  // ones the server's permissions grant this service (permissions.ts).
  const names = durableNames(options.durable, options.subjects);
  const running = await Promise.all(options.subjects.map((subject, i) => consumeSubject(options, names[i]!, subject)));
  return {
    async stop() {
      await Promise.all(running.map((r) => r.stop()));
    },
  };
}

async function consumeSubject(
  options: DurableConsumerOptions,
  durable: string,
  subject: string,
): Promise<{ stop(): Promise<void> }> {
  const { js, jsm, stream, log, handle } = options;
  await jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.subjectPrefix + subject,
    max_deliver: -1,
    ack_wait: 30_000_000_000,
  });
  const consumer = await js.consumers.get(stream, durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 64 });
  const handleMessage = async (msg: JsMsg): Promise<void> => {
    let event: EventEnvelope;
    try {
      event = parseEvent(msg.data);
    } catch (err) {
      log.error({ err, subject: msg.subject, seq: msg.seq }, 'unparseable event: terminated');
      msg.term();
      return;
    }
    try {
      // The handler continues the trace of the change that recorded the event (the relay's message headers).
      await inSpan(
        `process ${event.type}`,
        {
          kind: SpanKind.CONSUMER,
          parent: contextFromNatsHeaders(msg.headers),
          attributes: {
            'messaging.system': 'nats',
            'messaging.destination.name': msg.subject,
            'messaging.consumer.group.name': durable,
            'messaging.message.id': event.id,
          },
        },
        () => handle(event),
      );
      msg.ack();
    } catch (err) {
      log.warn({ err, eventId: event.id, type: event.type }, 'event handler failed: will retry');
      msg.nak(options.retryDelayMs ?? 1000);
    }
  };
  const limit = Math.max(1, options.concurrency ?? 1);
  const done = (async () => {
    const inflight = new Set<Promise<void>>();
    // At most `limit` handlers at once; with a limit of 1 each message waits for the previous one.
    for await (const msg of messages) {
      const running: Promise<void> = handleMessage(msg).finally(() => inflight.delete(running));
      inflight.add(running);
      if (inflight.size >= limit) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  })();
  return {
    async stop() {
      await messages.close();
      await done;
    },
  };
}
