import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { createTestEnv, type TestEnv } from '../../testing/test-env.js';
import { makeEvent } from './envelope.js';
import { connect, type NatsConnection } from 'nats';
import { outboxTablesSql } from './outbox.entity.js';
import { OutboxRelay } from './relay.js';

let env: TestEnv;
let pool: pg.Pool;
let nc: NatsConnection;
beforeAll(async () => {
  env = await createTestEnv();
  pool = new pg.Pool({ connectionString: env.config.database.url, max: 4 });
  pool.on('error', () => undefined); // an idle client ended by the database drop at cleanup is expected
  for (const sql of outboxTablesSql('second')) await pool.query(sql);
  await pool.query('create schema first'); // a subgraph that publishes nothing durable: no outbox table
  nc = await connect({ servers: env.config.nats.url }); // the test harness user (the stream is provisioned by createTestEnv)
});
afterAll(async () => {
  await (await nc?.jetstreamManager())?.streams.delete(env.config.nats.stream).catch(() => undefined);
  await nc?.close();
  await pool?.end();
  await env?.cleanup();
});

it('relays a schema listed after one that has no outbox table', async () => {
  const event = makeEvent('identity.user.updated', 'second', { userId: 'usr_x', changed: ['settings'] });
  await pool.query('insert into second.outbox (id, subject, envelope, occurred_at) values ($1, $2, $3, now())', [
    event.id,
    event.type,
    event,
  ]);
  const sub = nc.subscribe(env.config.nats.subjectPrefix + event.type, { max: 1 });
  const relay = new OutboxRelay({
    pool,
    listenUrl: env.config.database.url,
    js: nc.jetstream(),
    schemas: ['first', 'second'],
    subjectPrefix: env.config.nats.subjectPrefix,
    log: createLogger({ name: 'relay-test', level: 'silent' }),
    pollMs: 100,
  });
  await relay.start(pg.Client);
  try {
    for await (const msg of sub) expect(JSON.parse(new TextDecoder().decode(msg.data)).id).toBe(event.id);
    // The message can arrive before the relay's transaction marking it published commits: published_at is set once the relay commits.
    let publishedAt: Date | null = null;
    for (let i = 0; i < 50 && publishedAt === null; i++) {
      const { rows } = await pool.query<{ published_at: Date | null }>(
        'select published_at from second.outbox where id = $1',
        [event.id],
      );
      publishedAt = rows[0]!.published_at;
      if (publishedAt === null) await new Promise((r) => setTimeout(r, 50));
    }
    expect(publishedAt).not.toBeNull();
  } finally {
    await relay.stop();
  }
});
