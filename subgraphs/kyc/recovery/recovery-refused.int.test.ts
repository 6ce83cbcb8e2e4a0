import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../../platform/bus/envelope.js';
import { kycProcess } from '../../../platform/config/processes/kyc.js';
import { newId } from '../../../platform/ids.js';
import { startSubgraph, type RunningSubgraph } from '../../../platform/service/subgraph.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { kycSubgraph } from '../app.js';
import { IDENTITY_ACTOR, RECOVERY_REFUSED, REFUSED_CONSUMER } from './recovery.consumer.js';
import { AccountRecovery, AccountRecoveryAudit } from './recovery.entity.js';

let env: TestEnv;
let running: RunningSubgraph;
let harness: NatsConnection | null = null;
beforeAll(async () => {
  env = await createTestEnv();
  running = await startSubgraph(kycSubgraph, kycProcess.load(env.vars), env.log, 0);
});
afterAll(async () => {
  await harness?.close();
  await running?.close();
  await env?.cleanup();
});

const em = () => running.deps.orm.em.fork();

// Stands in for identity's outbox relay.
async function publish(payload: Record<string, unknown>, id?: string) {
  harness ??= await connect({ servers: env.config.nats.url });
  const event = { ...makeEvent(RECOVERY_REFUSED, 'identity', payload), ...(id ? { id } : {}) };
  await harness
    .jetstream()
    .publish(env.config.nats.subjectPrefix + RECOVERY_REFUSED, new TextEncoder().encode(JSON.stringify(event)), {
      msgID: `${event.id}-${Math.random()}`,
    });
  return event;
}

async function applied(eventId: string): Promise<void> {
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    const rows = await em()
      .getConnection()
      .execute('select 1 from kyc.inbox where event_id = ? and consumer = ?', [eventId, REFUSED_CONSUMER]);
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`event ${eventId} was not applied`);
}

async function recovery(status: 'APPROVED' | 'REJECTED'): Promise<AccountRecovery> {
  const row = em().create(AccountRecovery, {
    oldUserId: newId('usr'),
    newUserId: newId('usr'),
    phone: '+989121234567',
    status,
    reviewerId: newId('usr'),
    decidedAt: new Date(),
  });
  await em().persistAndFlush(row);
  return row;
}

describe('identity.user.recovery-refused', () => {
  it('marks an approved recovery FAILED with the reason and one audit row, once', async () => {
    const r = await recovery('APPROVED');
    const payload = {
      recoveryId: r.id,
      oldUserId: r.oldUserId,
      newUserId: r.newUserId,
      reason: 'NEW_ACCOUNT_NOT_EMPTY',
    };
    const event = await publish(payload);
    await applied(event.id);
    await publish(payload, event.id); // redelivered
    const again = await publish(payload); // another event for the same request
    await applied(again.id);

    const row = await em().findOneOrFail(AccountRecovery, { id: r.id });
    expect(row).toMatchObject({ status: 'FAILED', reason: 'NEW_ACCOUNT_NOT_EMPTY' });
    const audit = await em().find(AccountRecoveryAudit, { recoveryId: r.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'FAILED', actorId: IDENTITY_ACTOR, note: 'NEW_ACCOUNT_NOT_EMPTY' });
  });

  it('leaves a request that is not APPROVED alone', async () => {
    const r = await recovery('REJECTED');
    const event = await publish({
      recoveryId: r.id,
      oldUserId: r.oldUserId,
      newUserId: r.newUserId,
      reason: 'USER_NOT_FOUND',
    });
    await applied(event.id);
    expect((await em().findOneOrFail(AccountRecovery, { id: r.id })).status).toBe('REJECTED');
    expect(await em().find(AccountRecoveryAudit, { recoveryId: r.id })).toHaveLength(0);
  });
});
