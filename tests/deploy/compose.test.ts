import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { passwordVariable } from '../../devnet/nats/server-config.js';
import { NATS_CONFIG_FILES, renderComposeNatsConfigs, deployedNatsUsers } from '../../scripts/nats-config.js';
import { outboxUser } from '../../platform/bus/permissions.js';
import { outboxSchemas } from '../../subgraphs/registry.js';

/** Docker cannot run here: the compose files are checked as data. */
interface Service {
  image?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  networks?: string[] | Record<string, { ipv4_address?: string }>;
  volumes?: string[];
  labels?: Record<string, string>;
}
const load = (file: string) =>
  parse(readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const compose = load('docker-compose.yml');
const services = compose.services;
const INFRA = ['postgres', 'redis', 'nats', 'minio'];

describe('docker-compose.yml', () => {
  it('publishes ports for Traefik alone: no engine, subgraph or gateway port reaches the host', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        ...INFRA,
        'traefik',
        'gateway',
        'migrate',
        'identity',
        'wallet',
        'market',
        'ledger',
        'price-feed',
      ]),
    );
    const published = Object.entries(services)
      .filter(([, s]) => s.ports?.length)
      .map(([name]) => name);
    expect(published).toEqual(['traefik']);
    expect(services.traefik!.ports).toEqual(['80:80', '443:443']);
  });

  it('requires a password for every engine (compose refuses to start without one)', () => {
    expect(services.postgres!.environment!.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(services.redis!.command!.join(' ')).toMatch(/--requirepass \$\{REDIS_PASSWORD:\?/);
    expect(services.minio!.environment!.MINIO_ROOT_PASSWORD).toMatch(/^\$\{MINIO_ROOT_PASSWORD:\?/);
    expect(services.identity!.environment!.DATABASE_URL).toMatch(
      /postgres:\/\/postgres:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\//,
    );
    expect(services.gateway!.environment!.REDIS_URL).toMatch(/redis:\/\/:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379/);
    // NATS: the mounted configuration is the generated one, and every password variable it reads is required.
    expect(services.nats!.volumes).toContain(`./${NATS_CONFIG_FILES.deploy}:/etc/nats/nats.conf:ro`);
    const variables = [...readFileSync(NATS_CONFIG_FILES.deploy, 'utf8').matchAll(/password: \$(\w+)/g)].map(
      (m) => m[1]!,
    );
    expect(variables.sort()).toEqual(deployedNatsUsers().map(passwordVariable).sort());
    for (const variable of variables)
      expect(services.nats!.environment![variable], variable).toMatch(new RegExp(`^\\$\\{${variable}:\\?`));
  });

  it('gives each NATS client its own user, and each outbox schema a relay of its own', () => {
    for (const [name, service] of Object.entries(services)) {
      const user = service.environment?.NATS_USER;
      if (!user) continue;
      expect(deployedNatsUsers(), name).toContain(user);
      expect(service.environment!.NATS_PASSWORD, name).toMatch(new RegExp(`^\\$\\{${passwordVariable(user)}:\\?`));
    }
    for (const name of ['migrate', 'identity', 'wallet', 'market', 'ledger', 'gateway', 'price-feed'])
      expect(services[name]!.environment!.NATS_USER, name).toBeDefined();
    for (const schema of outboxSchemas) {
      const relay = services[`outbox-relay-${schema}`];
      expect(relay, schema).toBeDefined();
      expect(relay!.command).toEqual(['workers/outbox-relay/main.ts', '--schema', schema]);
      expect(relay!.environment!.NATS_USER).toBe(outboxUser(schema));
    }
  });

  it('puts Traefik in front of the gateway, terminating TLS, and the gateway trusts its address alone', () => {
    const traefik = services.traefik!;
    const flags = traefik.command!.join(' ');
    expect(flags).toContain('--providers.docker.exposedbydefault=false');
    expect(flags).toContain('--entrypoints.websecure.address=:443');
    expect(flags).toContain('--entrypoints.web.http.redirections.entrypoint.to=websecure');
    expect(flags).toMatch(/--certificatesresolvers\.letsencrypt\.acme\./);
    const labels = services.gateway!.labels!;
    expect(labels['traefik.enable']).toBe('true');
    expect(labels['traefik.http.routers.gateway.entrypoints']).toBe('websecure');
    expect(labels['traefik.http.routers.gateway.tls.certresolver']).toBe('letsencrypt');
    expect(labels['traefik.http.services.gateway.loadbalancer.server.port']).toBe('4000');
    const address = (traefik.networks as Record<string, { ipv4_address?: string }>).edge!.ipv4_address;
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(services.gateway!.environment!.TRUSTED_PROXIES).toBe(address);
    // Nothing but Traefik, the gateway, the payment service and the bot is on the edge network; Traefik routes only
    // /payments/ (Paystar's browser callback and the result page) to the payment service, never its /graphql, and
    // only /telegram/webhook to the bot (whose /health and /metrics stay internal).
    const onEdge = Object.entries(services)
      .filter(([, s]) => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {})).includes('edge'))
      .map(([n]) => n);
    expect(onEdge.sort()).toEqual(['bot', 'gateway', 'payment', 'traefik']);
    const bot = services.bot!.labels!;
    expect(bot['traefik.http.routers.bot.rule']).toMatch(/&& Path\(`\/telegram\/webhook`\)$/);
    expect(bot['traefik.http.services.bot.loadbalancer.server.port']).toBe('4187');
    const payment = services.payment!.labels!;
    expect(payment['traefik.http.routers.payment-callback.rule']).toMatch(/&& PathPrefix\(`\/payments\/`\)$/);
    expect(payment['traefik.http.services.payment-callback.loadbalancer.server.port']).toBe('4106');
  });
});

describe('docker-compose.dev.yml (engines for npm start)', () => {
  it('publishes the engines on loopback only and runs NATS with the dev configuration', () => {
    const dev = load('docker-compose.dev.yml').services;
    expect(Object.keys(dev).sort()).toEqual(['nats', 'postgres', 'redis']);
    for (const [name, service] of Object.entries(dev))
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    expect(dev.nats!.volumes).toContain(`./${NATS_CONFIG_FILES.dev}:/etc/nats/nats.conf:ro`);
  });
});

it('the mounted NATS configurations are the ones permissions.ts generates (npm run nats:config)', () => {
  const rendered = renderComposeNatsConfigs();
  expect(readFileSync(NATS_CONFIG_FILES.deploy, 'utf8')).toBe(rendered.deploy);
  expect(readFileSync(NATS_CONFIG_FILES.dev, 'utf8')).toBe(rendered.dev);
});
