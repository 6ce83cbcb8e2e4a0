import {
  AckPolicy,
  DeliverPolicy,
  connect,
  type ConsumerMessages,
  type JsMsg,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import type { Logger } from '../logger.js';
import { parseEvent, type EventEnvelope } from './envelope.js';

export type { NatsConnection, JetStreamClient, JetStreamManager };

/** Subjects that carry durable domain events (prices, `market.price.updated`, are core NATS only and stay out). */
export const DURABLE_SUBJECTS = ['identity.>', 'wallet.>', 'ledger.>', 'payment.>', 'voucher.>', 'support.>', 'kyc.>', 'market.asset.>'];

export async function connectNats(url: string, name: string, log: Logger): Promise<NatsConnection> {
  const nc = await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: true });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'error') log.warn({ nats: status.type }, 'nats connection problem');
      else if (status.type === 'reconnect') log.info('nats reconnected');
    }
  })();
  return nc;
}

/** Creates or updates the one events stream; duplicates within the window are dropped by Nats-Msg-Id. */
export async function ensureEventStream(jsm: JetStreamManager, name: string, subjectPrefix = ''): Promise<void> {
  const config = { name, subjects: DURABLE_SUBJECTS.map((s) => subjectPrefix + s), duplicate_window: 2 * 60 * 1_000_000_000 };
  try {
    await jsm.streams.info(name);
    await jsm.streams.update(name, config);
  } catch (err) {
    if ((err as { code?: string }).code === '404' || /stream not found/i.test((err as Error).message)) {
      await jsm.streams.add(config);
    } else {
      throw err;
    }
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
  // One durable per subject: multi-subject filters need NATS 2.10, and Debian ships 2.9.
  const running = await Promise.all(
    options.subjects.map((subject) =>
      consumeSubject(options, options.subjects.length === 1 ? options.durable : `${options.durable}-${subject.replace(/[.>*]/g, '_')}`, subject),
    ),
  );
  return {
    async stop() {
      await Promise.all(running.map((r) => r.stop()));
    },
  };
}

async function consumeSubject(options: DurableConsumerOptions, durable: string, subject: string): Promise<{ stop(): Promise<void> }> {
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
      await handle(event);
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
