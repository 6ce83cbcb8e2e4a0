import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findNatsServerBinary } from '../../devnet/nats/nats-server.js';
import { quote, renderNatsServerConfig } from '../../devnet/nats/server-config.js';
import { liveFields } from '../../gateway/subscriptions/live-fields.js';
import { LEVEL_FACT_SUBJECTS } from '../../subgraphs/identity/level/level.consumer.js';
import { DIRECTORY_SUBJECTS } from '../../subgraphs/ledger/directory/directory.consumer.js';
import { POSTING_SUBJECTS, POSTINGS_CONSUMER } from '../../subgraphs/ledger/postings/postings.consumer.js';
import { outboxSchemas } from '../../subgraphs/registry.js';
import {
  DEPOSIT_CREDITS_CONSUMER,
  LEDGER_TRANSACTION_COMMITTED,
} from '../../subgraphs/wallet/deposit/deposit.consumer.js';
import {
  DOMAIN_EVENT_SUBJECTS,
  EVENT_DOMAINS,
  natsUsers,
  outboxUser,
  permissionsFor,
  SERVICE_GRANTS,
} from './permissions.js';

/** Does NATS subject `pattern` (with * and >) match the concrete `subject`? */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

function mayPublish(user: string, subject: string, prefix = '', stream = 'EVENTS'): boolean {
  const perms = permissionsFor(user, prefix, stream).publish;
  return 'allow' in perms && perms.allow.some((p) => matches(p, subject));
}

describe('NATS grants', () => {
  it('lets exactly one user publish each domain’s events: its outbox relay user', () => {
    for (const domain of EVENT_DOMAINS) {
      const subject = DOMAIN_EVENT_SUBJECTS[domain].replace('>', 'deposit.confirmed');
      expect(natsUsers().filter((user) => mayPublish(user, subject))).toEqual([outboxUser(domain)]);
      expect(natsUsers().filter((user) => mayPublish(user, `t1a2b.${subject}`, '*.', '*'))).toEqual([
        outboxUser(domain),
      ]);
    }
    expect(
      natsUsers()
        .filter((user) => mayPublish(user, 'market.price.updated'))
        .sort(),
    ).toEqual(['market', 'price-feed']);
  });

  it('grants nothing to publish (deny >) rather than an empty allow list, which nats-server reads as "anything"', () => {
    expect(permissionsFor('price-feed', '', 'EVENTS').publish).toEqual({ allow: ['market.price.>'] });
    expect(permissionsFor('outbox-wallet', '', 'EVENTS').publish).not.toEqual({ allow: [] });
    for (const user of natsUsers()) {
      const publish = permissionsFor(user, '', 'EVENTS').publish;
      expect('deny' in publish || publish.allow.length > 0).toBe(true);
    }
  });

  it('covers every outbox schema with a relay user and no one but migrate may change the stream', () => {
    for (const schema of outboxSchemas) expect(SERVICE_GRANTS[outboxUser(schema)], schema).toBeDefined();
    const admins = natsUsers().filter(
      (user) => mayPublish(user, '$JS.API.STREAM.UPDATE.EVENTS') || mayPublish(user, '$JS.API.STREAM.CREATE.EVENTS'),
    );
    expect(admins).toEqual(['migrate']);
    for (const user of natsUsers()) {
      expect(mayPublish(user, '$JS.API.CONSUMER.CREATE.EVENTS'), `${user}: ephemeral consumers`).toBe(false);
      expect(
        mayPublish(user, '$JS.API.CONSUMER.DURABLE.CREATE.EVENTS.x'),
        `${user}: legacy create without filter`,
      ).toBe(false);
      expect(mayPublish(user, '$JS.API.DIRECT.GET.EVENTS'), `${user}: direct gets`).toBe(false);
    }
    // Stored messages are read one request at a time by the gateway alone (resumed subscriptions), nothing else.
    expect(natsUsers().filter((user) => mayPublish(user, '$JS.API.STREAM.MSG.GET.EVENTS'))).toEqual(['gateway']);
    expect(permissionsFor('gateway', '', 'EVENTS').publish).toEqual({
      allow: ['$JS.API.INFO', '$JS.API.STREAM.INFO.EVENTS', '$JS.API.STREAM.MSG.GET.EVENTS'],
    });
  });

  it('matches the consumers the code runs (durable names and filters) and the gateway’s live subjects', () => {
    const grant = (user: string, durable: string) =>
      SERVICE_GRANTS[user]!.consumers.find((c) => c.durable === durable)?.subjects;
    expect(grant('ledger', POSTINGS_CONSUMER)).toEqual(POSTING_SUBJECTS);
    expect(grant('ledger', 'ledger-user-directory')).toEqual(DIRECTORY_SUBJECTS);
    expect(grant('identity', 'identity-level-facts')).toEqual(LEVEL_FACT_SUBJECTS);
    expect(grant('wallet', DEPOSIT_CREDITS_CONSUMER)).toEqual([LEDGER_TRANSACTION_COMMITTED]);
    expect([...SERVICE_GRANTS.gateway!.subscribe].sort()).toEqual(
      [...new Set(liveFields.flatMap((f) => f.subjects))].sort(),
    );
    // The ledger may create its deposit durable only with the deposit filter.
    expect(
      mayPublish(
        'ledger',
        '$JS.API.CONSUMER.CREATE.EVENTS.ledger-postings-wallet_deposit_confirmed.wallet.deposit.confirmed',
      ),
    ).toBe(true);
    expect(
      mayPublish(
        'ledger',
        '$JS.API.CONSUMER.CREATE.EVENTS.ledger-postings-wallet_deposit_confirmed.identity.user.created',
      ),
    ).toBe(false);
    expect(mayPublish('market', '$JS.API.CONSUMER.MSG.NEXT.EVENTS.ledger-postings-wallet_deposit_confirmed')).toBe(
      false,
    );
  });

  it('renders a configuration nats-server accepts', () => {
    const binary = findNatsServerBinary();
    expect(binary, 'nats-server is needed for the tests (apt-get install -y nats-server)').not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'nats-conf-'));
    try {
      for (const [prefix, stream] of [
        ['', 'EVENTS'],
        ['*.', '*'],
      ] as const) {
        const file = join(dir, 'nats.conf');
        writeFileSync(
          file,
          renderNatsServerConfig({
            host: '127.0.0.1',
            port: 4223,
            storeDir: dir,
            subjectPrefix: prefix,
            stream,
            password: (u) => quote(`pw-${u}`),
          }),
        );
        const check = spawnSync(binary!, ['-t', '-c', file], { encoding: 'utf8' });
        expect(check.status, check.stderr + check.stdout).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
