import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROCESSES, type ProcessSpec } from './config.js';

/** Every variable named in a text, with CHAIN_<NET>_… expanded to the four networks. */
function named(text: string): Set<string> {
  const out = new Set<string>();
  for (const [name] of text.matchAll(/\b[A-Z][A-Z0-9]*(?:_(?:[A-Z0-9]+|<NET>))+\b|\bCHAIN_<NET>_[A-Z_]+\b/g)) {
    if (name.includes('<NET>')) for (const net of ['ETH', 'BSC', 'TRON', 'TON']) out.add(name.replace('<NET>', net));
    else out.add(name);
  }
  return out;
}

const allVariables = [...new Set(Object.values(PROCESSES).flatMap((p) => p.variables))].sort();

describe('configuration documentation', () => {
  it('.env.example and the README configuration section name every variable a process reads', () => {
    const exampleText = readFileSync('.env.example', 'utf8');
    const example = named(exampleText);
    const readme = readFileSync('README.md', 'utf8');
    const sectionText = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Tests'));
    const section = named(sectionText);
    const mentions = (text: string, names: Set<string>, variable: string) =>
      names.has(variable) || new RegExp(`\\b${variable}\\b`).test(text);
    expect(allVariables.filter((v) => !mentions(exampleText, example, v))).toEqual([]);
    expect(allVariables.filter((v) => !mentions(sectionText, section, v))).toEqual([]);
    // and no assignment of a variable no process reads (a renamed or removed one)
    // Compose-only: the engines' and NATS users' passwords and Traefik's host are read by containers, not by our processes.
    const composeOnly =
      /^(NATS_PASSWORD_[A-Z_]+|POSTGRES_PASSWORD|REDIS_PASSWORD|MINIO_ROOT_PASSWORD|PUBLIC_HOST|ACME_EMAIL)$/;
    const known = new Set([...allVariables, 'ENV_FILE']);
    const assigned = [...exampleText.matchAll(/(?:^|[#\s])([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    expect(assigned.length).toBeGreaterThan(50);
    expect(assigned.filter((v) => !known.has(v) && !composeOnly.test(v))).toEqual([]);
  });

  it('docker-compose.yml gives each service only variables its process reads; custody keys reach the wallet, the withdrawal broadcaster and the treasury worker alone', () => {
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, unknown> }>;
    };
    const processOf: Record<string, ProcessSpec<unknown>> = {
      migrate: PROCESSES.migrate,
      gateway: PROCESSES.gateway,
      identity: PROCESSES.identity,
      wallet: PROCESSES.wallet,
      market: PROCESSES.market,
      ledger: PROCESSES.ledger,
      kyc: PROCESSES.kyc,
      support: PROCESSES.support,
      voucher: PROCESSES.voucher,
      ...Object.fromEntries(
        ['identity', 'wallet', 'ledger', 'market', 'kyc', 'support', 'voucher'].map((domain) => [
          `outbox-relay-${domain}`,
          PROCESSES['outbox-relay'],
        ]),
      ),
      'price-feed': PROCESSES['price-feed'],
      'watcher-eth': PROCESSES['chain-watcher'],
      'watcher-bsc': PROCESSES['chain-watcher'],
      'watcher-tron': PROCESSES['chain-watcher'],
      'watcher-ton': PROCESSES['chain-watcher'],
      payment: PROCESSES.payment,
      'outbox-relay-payment': PROCESSES['outbox-relay'],
      'payments-worker': PROCESSES['payments-worker'],
      'withdrawal-broadcaster': PROCESSES['withdrawal-broadcaster'],
      treasury: PROCESSES.treasury,
      bot: PROCESSES.bot,
    };
    const holders = (variable: string) =>
      Object.entries(compose.services)
        .filter(([, s]) => variable in (s.environment ?? {}))
        .map(([name]) => name)
        .sort();
    for (const [service, spec] of Object.entries(processOf)) {
      const env = Object.keys(compose.services[service]?.environment ?? {});
      expect(env.length, service).toBeGreaterThan(0);
      expect(
        env.filter((v) => v !== 'ENV_FILE' && !spec.variables.includes(v)),
        service,
      ).toEqual([]);
    }
    // The withdrawal broadcaster signs from the hot wallet and the treasury worker from deposit addresses and hot,
    // so they hold the custody master keys too.
    expect(holders('WALLET_MASTER_KEYS')).toEqual(['treasury', 'wallet', 'withdrawal-broadcaster']);
    expect(holders('INTERNAL_TOKEN_PRIVATE_KEY')).toEqual(['gateway']);
    // identity verifies Mini App initData with the bot token; the bot and the notifier talk to Telegram with it
    // the bot alone holds its service credential and webhook secret; identity only the credential's hash
    expect(holders('BOT_SERVICE_CREDENTIAL')).toEqual(['bot']);
    expect(holders('TELEGRAM_WEBHOOK_SECRET')).toEqual(['bot']);
    expect(holders('BOT_SERVICE_CREDENTIAL_SHA256')).toEqual(['identity']);
    expect(holders('TELEGRAM_BOT_TOKEN')).toEqual(['bot', 'identity', 'notifier']);
    expect(holders('JWT_SECRET')).toEqual(['gateway', 'identity']);
    expect(holders('INTERNAL_TOKEN_PUBLIC_KEY')).toEqual([
      'identity',
      'kyc',
      'ledger',
      'market',
      'payment',
      'support',
      'voucher',
      'wallet',
    ]);
    expect(holders('SUPPORT_ALERT_BOT_TOKEN')).toEqual(['support']);
    expect(holders('VOUCHER_CODE_KEYS')).toEqual(['voucher']);
  });
});
