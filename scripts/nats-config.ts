import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { passwordVariable, quote, renderNatsServerConfig } from '../devnet/nats/server-config.js';
import { devNatsPassword } from '../platform/bus/nats.js';
import { natsUsers, outboxUser, EVENT_DOMAINS } from '../platform/bus/permissions.js';
import { outboxSchemas } from '../subgraphs/registry.js';

/**
 * The nats-server configurations the compose files mount, generated from platform/bus/permissions.ts
 * (`npm run nats:config`; a test fails when they are stale):
 * - deploy/nats.conf: docker-compose.yml; every password is an environment variable of the nats container
 *   (NATS_PASSWORD_<USER>), the same value the service gets as NATS_PASSWORD.
 * - devnet/nats/dev.conf: docker-compose.dev.yml (engines for `npm start` on a machine without the
 *   nats-server binary); the dev-only passwords services use when no NATS credentials are configured.
 */
export const NATS_CONFIG_FILES = { deploy: 'deploy/nats.conf', dev: 'devnet/nats/dev.conf' } as const;

/** Users the deployed platform has: every service, and a relay user for each schema that has an outbox. */
export function deployedNatsUsers(): string[] {
  const unusedRelays = EVENT_DOMAINS.filter((d) => !outboxSchemas.includes(d)).map(outboxUser);
  return natsUsers().filter((user) => !unusedRelays.includes(user));
}

export function renderComposeNatsConfigs(): Record<keyof typeof NATS_CONFIG_FILES, string> {
  const common = {
    host: '0.0.0.0',
    port: 4222,
    storeDir: '/data',
    subjectPrefix: '',
    stream: 'EVENTS',
    users: deployedNatsUsers(),
  };
  return {
    deploy: renderNatsServerConfig({ ...common, password: (user) => `$${passwordVariable(user)}` }),
    dev: renderNatsServerConfig({ ...common, password: (user) => quote(devNatsPassword(user)) }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rendered = renderComposeNatsConfigs();
  for (const [key, file] of Object.entries(NATS_CONFIG_FILES)) {
    const text = rendered[key as keyof typeof NATS_CONFIG_FILES];
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      /* new */
    }
    if (current !== text) writeFileSync(file, text);
    process.stdout.write(`${file}${current === text ? ' (unchanged)' : ' written'}\n`);
  }
}
