import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, type EventEnvelope } from '../../platform/bus/envelope.js';
import { natsConnectionOptions } from '../../platform/bus/nats.js';
import { idFloorAt, newId } from '../../platform/ids.js';
import { commonFilter, JetStreamEventLog } from './event-log.js';

/**
 * The event log against a real stream on the authorized test server, read as the gateway's own NATS user (its
 * grant: stream info and STREAM.MSG.GET only). The harness user writes the stream.
 */
const prefix = `evlog${process.pid}.`;
const stream = `EVLOG_${process.pid}`;
const DEPOSIT_SUBJECTS = ['detected', 'confirming', 'credited'].map((v) => `wallet.deposit.${v}`);
let harness: NatsConnection;
let gateway: NatsConnection;
let harnessJsm: JetStreamManager;

beforeAll(async () => {
  const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  harness = await connect({ servers: url });
  harnessJsm = await harness.jetstreamManager();
  await harnessJsm.streams.add({ name: stream, subjects: [`${prefix}wallet.>`, `${prefix}ledger.>`] });
  gateway = await connect(natsConnectionOptions({ url, auth: { kind: 'dev' } }, 'gateway'));
});

afterAll(async () => {
  await harnessJsm?.streams.delete(stream).catch(() => undefined);
  await harness?.close();
  await gateway?.close();
});

async function publish(type: string, payload: Record<string, unknown>): Promise<EventEnvelope> {
  const event = makeEvent(type, 'wallet', payload);
  await harness
    .jetstream()
    .publish(prefix + type, new TextEncoder().encode(JSON.stringify(event)), { msgID: event.id });
  return event;
}

function log(window = { maxAgeMs: 86_400_000, maxEvents: 1000 }, now?: () => number): JetStreamEventLog {
  return new JetStreamEventLog({ jsm: () => gateway.jetstreamManager(), stream, subjectPrefix: prefix, window, now });
}

describe('JetStreamEventLog', () => {
  it('returns the events after an id on the given subjects only, in stream order, skipping malformed messages', async () => {
    const first = await publish('wallet.deposit.detected', { depositId: 'dep_1' });
    const noise = await publish('ledger.transaction.committed', { balances: [] });
    const second = await publish('wallet.deposit.confirming', { depositId: 'dep_1' });
    await harness.jetstream().publish(`${prefix}wallet.deposit.confirming`, new TextEncoder().encode('not json'));
    const other = await publish('wallet.withdrawal.changed', { withdrawalId: 'wd_1' });
    const third = await publish('wallet.deposit.credited', { depositId: 'dep_1' });

    const replay = await log().after(DEPOSIT_SUBJECTS, first.id);
    expect(replay).toEqual({ events: [second, third] });
    expect(await log().after(DEPOSIT_SUBJECTS, third.id)).toEqual({ events: [] });
    expect(await log().after(['ledger.transaction.committed'], noise.id)).toEqual({ events: [] });
    // an event of another field's subjects is no position for this one
    expect(await log().after(DEPOSIT_SUBJECTS, other.id)).toEqual({ refused: 'UNKNOWN' });
  });

  it('refuses an unknown id, one older than the window, and more stored events than it may read', async () => {
    const anchor = await publish('wallet.deposit.detected', { depositId: 'dep_2' });
    for (let i = 0; i < 5; i++) await publish('wallet.deposit.confirming', { depositId: `dep_${i}` });
    expect(await log().after(DEPOSIT_SUBJECTS, newId('evt'))).toEqual({ refused: 'UNKNOWN' });
    expect(await log().after(DEPOSIT_SUBJECTS, 'not-an-event-id')).toEqual({ refused: 'UNKNOWN' });
    expect(await log().after(DEPOSIT_SUBJECTS, idFloorAt('evt', Date.now() - 2 * 86_400_000))).toEqual({
      refused: 'TOO_OLD',
    });
    const tomorrow = () => Date.now() + 86_400_000 + 60_000;
    expect(await log(undefined, tomorrow).after(DEPOSIT_SUBJECTS, anchor.id)).toEqual({ refused: 'TOO_OLD' });
    expect(await log({ maxAgeMs: 86_400_000, maxEvents: 3 }).after(DEPOSIT_SUBJECTS, anchor.id)).toEqual({
      refused: 'TOO_MANY',
    });
    const all = await log({ maxAgeMs: 86_400_000, maxEvents: 100 }).after(DEPOSIT_SUBJECTS, anchor.id);
    expect('events' in all && all.events.map((e) => e.payload.depositId)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `dep_${i}`),
    );
  });

  it('finds its place among many stored events by time (binary search), not by reading from the start', async () => {
    for (let i = 0; i < 200; i++) await publish('ledger.transaction.committed', { balances: [], i });
    await new Promise((r) => setTimeout(r, 20));
    const anchor = await publish('wallet.deposit.detected', { depositId: 'dep_late' });
    const after = await publish('wallet.deposit.credited', { depositId: 'dep_late' });
    // 200 older messages lie before it in the stream; reading at most 5 suffices when it starts near the id's time
    const replay = await new JetStreamEventLog({
      jsm: () => gateway.jetstreamManager(),
      stream,
      subjectPrefix: prefix,
      window: { maxAgeMs: 86_400_000, maxEvents: 5 },
      clockSkewMs: 10,
    }).after(DEPOSIT_SUBJECTS, anchor.id);
    expect(replay).toEqual({ events: [after] });
  });
});

describe('commonFilter', () => {
  it('covers several subjects with their common leading tokens, one subject with itself', () => {
    expect(commonFilter(['p.wallet.deposit.detected', 'p.wallet.deposit.credited'])).toBe('p.wallet.deposit.>');
    expect(commonFilter(['p.ledger.order.updated'])).toBe('p.ledger.order.updated');
    expect(commonFilter(['p.kyc.a.b', 'p.support.a.b'])).toBe('p.>');
    expect(commonFilter(['a.b', 'c.d'])).toBe('>');
  });
});
