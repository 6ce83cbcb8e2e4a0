import pg from 'pg';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../testing/test-env.js';
import { makeEvent } from './envelope.js';
import { ensureEventStream } from './nats.js';
import { outboxTablesSql } from './outbox.entity.js';
import { OutboxRelay } from './relay.js';

let env: TestEnv;
let pool: pg.Pool;
let nc: NatsConnection;
const SCHEMA = 'relaytest';

beforeAll(async () => {
  env = await createTestEnv();
  pool = new pg.Pool({ connectionString: env.config.database.url, max: 8 });
  // An idle client told to go away by the server (57P01 while the run's databases are dropped) must not become an
  // unhandled error that fails the whole run after every test passed; queries still fail loudly.
  pool.on('error', () => undefined);
  for (const sql of outboxTablesSql(SCHEMA)) await pool.query(sql);
  nc = await connect({ servers: env.config.nats.url });
  await ensureEventStream(await nc.jetstreamManager(), env.config.nats.stream, env.config.nats.subjectPrefix);
});
afterAll(async () => {
  await (await nc?.jetstreamManager())?.streams.delete(env.config.nats.stream).catch(() => undefined);
  await nc?.close();
  await pool?.end();
  await env?.cleanup();
});

async function insertEvents(count: number): Promise<string[]> {
  const ids: string[] = [];
  const client = await pool.connect();
  try {
    await client.query('begin');
    for (let i = 0; i < count; i++) {
      const event = makeEvent('identity.user.updated', 'test', { userId: `usr_${i}`, changed: ['settings'] });
      ids.push(event.id);
      await client.query(`insert into ${SCHEMA}.outbox (id, subject, envelope, occurred_at) values ($1, $2, $3, $4)`, [
        event.id,
        event.type,
        event,
        event.occurredAt,
      ]);
    }
    await client.query('commit');
  } finally {
    client.release();
  }
  return ids;
}

async function streamMessages(): Promise<number> {
  const info = await (await nc.jetstreamManager()).streams.info(env.config.nats.stream);
  return info.state.messages;
}

function relay(js = nc.jetstream()): OutboxRelay {
  return new OutboxRelay({
    pool,
    listenUrl: env.config.database.url,
    js,
    schemas: [SCHEMA],
    subjectPrefix: env.config.nats.subjectPrefix,
    log: env.log,
    pollMs: 50,
    batchSize: 50,
  });
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OutboxRelay', () => {
  it('two relays over the same outbox publish each event exactly once', async () => {
    const before = await streamMessages();
    const a = relay();
    const b = relay();
    await Promise.all([a.start(pg.Client), b.start(pg.Client)]);
    await insertEvents(500);
    await until(
      async () =>
        (await pool.query(`select count(*)::int as n from ${SCHEMA}.outbox where published_at is null`)).rows[0].n ===
        0,
    );
    await Promise.all([a.stop(), b.stop()]);
    expect((await streamMessages()) - before).toBe(500);
  });

  it('a re-publish after a crash between publish and mark is dropped by Nats-Msg-Id', async () => {
    const before = await streamMessages();
    const [id] = await insertEvents(1);
    const r = relay();
    expect(await r.drainBatch(SCHEMA)).toBe(1);
    // simulate the crash: the mark is lost, the row looks unpublished again
    await pool.query(`update ${SCHEMA}.outbox set published_at = null where id = $1`, [id]);
    expect(await r.drainBatch(SCHEMA)).toBe(1);
    expect((await streamMessages()) - before).toBe(1);
  });

  it('keeps events while NATS is unreachable and publishes them once it is back', async () => {
    const before = await streamMessages();
    const down = await connect({ servers: env.config.nats.url });
    const jsDown = down.jetstream();
    await down.close(); // publishing through a closed connection fails like an outage
    const r = relay(jsDown);
    await insertEvents(20);
    await expect(r.drainBatch(SCHEMA)).rejects.toThrow();
    expect(
      (await pool.query(`select count(*)::int as n from ${SCHEMA}.outbox where published_at is null`)).rows[0].n,
    ).toBe(20);
    expect(await relay().drainBatch(SCHEMA)).toBe(20);
    expect((await streamMessages()) - before).toBe(20);
  });
});
