import { connect, headers } from 'nats';
import { makeEvent, type EventEnvelope } from '../../../platform/bus/envelope.js';
import { devNatsPassword } from '../../../platform/bus/nats.js';
import { inboxPrefix, outboxUser } from '../../../platform/bus/permissions.js';
import type { Env } from '../../../platform/config/config.js';

/**
 * Publishes events to JetStream as their owner's outbox relay would (the NATS user `outbox-<domain>`, the only one
 * the server lets publish the domain's subjects), with `Nats-Msg-Id` = event id unless `msgId` says otherwise (a
 * second copy under another id is how a test makes JetStream deliver one event twice).
 */
export async function publishEvents(vars: Env, events: EventEnvelope[], msgId?: (e: EventEnvelope) => string) {
  const byDomain = new Map<string, EventEnvelope[]>();
  for (const e of events) byDomain.set(e.type.split('.')[0]!, [...(byDomain.get(e.type.split('.')[0]!) ?? []), e]);
  for (const [domain, list] of byDomain) {
    const user = outboxUser(domain);
    const nc = await connect({
      servers: vars.NATS_URL!,
      user,
      pass: devNatsPassword(user),
      inboxPrefix: inboxPrefix(user),
    });
    try {
      const js = nc.jetstream();
      for (const e of list) {
        const h = headers();
        h.set('Nats-Msg-Id', msgId ? msgId(e) : e.id);
        await js.publish(`${vars.NATS_SUBJECT_PREFIX ?? ''}${e.type}`, JSON.stringify(e), { headers: h });
      }
    } finally {
      await nc.close();
    }
  }
}

export const event = <P>(type: string, payload: P, source = type.split('.')[0]!) => makeEvent(type, source, payload);

/** Polls `check` every 50 ms until it holds; after `ms` it throws, naming `what`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
