import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletProcess, type WalletConfig } from '../../../platform/config/config.js';
import { migrateSubgraph, openSubgraphDatabase, type MikroORM } from '../../../platform/db/orm.js';
import { startSubgraph, type RunningSubgraph } from '../../../platform/service/subgraph.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { walletMigrations } from '../../../migrations/wallet/index.js';
import { walletSubgraph } from '../app.js';
import { walletEntities } from '../entities.js';
import { buildKeyring } from './keyring.js';
import {
  createMasterKeyring,
  deriveAddress,
  InvalidMnemonicError,
  mnemonicToSeed,
  rootFingerprint,
} from '../custody/index.js';
import { ActiveRootExistsError, CustodyStartupError, ReplaceConfirmationError } from './custody-root.errors.js';
import { CustodyVault, type RotationStep } from './custody-vault.js';
import { HdRoot } from './hd-root.entity.js';

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const LEGAL = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');

let env: TestEnv;
let running: RunningSubgraph;

/** The config of `env` with other master keys (same database, Redis prefix and NATS stream). */
function withKeys(keys: string, current?: string): WalletConfig {
  const config = walletProcess.load({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: env.config.database.url,
    REDIS_URL: env.config.redis.url,
    REDIS_KEY_PREFIX: env.config.redis.keyPrefix,
    NATS_URL: env.config.nats.url,
    NATS_STREAM: env.config.nats.stream,
    NATS_SUBJECT_PREFIX: env.config.nats.subjectPrefix,
    WALLET_MASTER_KEYS: keys,
    ...(current ? { WALLET_MASTER_KEY_ID: current } : {}),
  });
  return config;
}

async function startWith(config: WalletConfig): Promise<RunningSubgraph> {
  return startSubgraph(walletSubgraph, config, env.log, 0);
}

async function startError(config: WalletConfig): Promise<Error> {
  const outcome = await startWith(config).then(
    async (r) => {
      await r.close();
      return null;
    },
    (err: unknown) => err as Error,
  );
  if (!outcome) throw new Error('the wallet subgraph started, but it should have refused');
  return outcome;
}

function em() {
  return running.deps.orm.em.fork();
}

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return em().getConnection().execute<T[]>(text, params);
}

function vaultOf(keys: string, current?: string): CustodyVault {
  return new CustodyVault(buildKeyring(withKeys(keys, current)), env.log);
}

function flip(b64: string): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[0] = bytes[0]! ^ 1;
  return bytes.toString('base64');
}

beforeAll(async () => {
  env = await createTestEnv({ WALLET_MASTER_KEYS: `k1:${K1}` });
  running = await startWith(env.config);
});

afterAll(async () => {
  await running?.close();
  const nc = await connect({ servers: env.config.nats.url });
  await (await nc.jetstreamManager()).streams.delete(env.config.nats.stream).catch(() => undefined);
  await nc.close();
  await env?.cleanup();
});

describe('custody root on first start', () => {
  it('generates one active 24-word root, sealed by the current master key and bound to its row', async () => {
    const roots = await em().find(HdRoot, {});
    expect(roots).toHaveLength(1);
    const [root] = roots;
    expect(root).toMatchObject({
      status: 'ACTIVE',
      origin: 'GENERATED',
      wordCount: 24,
      masterKeyId: 'k1',
      retiredAt: null,
    });
    expect(root!.id).toMatch(/^hdr_[0-9a-z]{26}$/);
    expect(root!.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    const vault = vaultOf(`k1:${K1}`);
    expect(await vault.withSeed(root!, (seed) => rootFingerprint(seed))).toBe(root!.fingerprint);
  });

  it('a second start with the same key reuses the root', async () => {
    const again = await startWith(env.config);
    await again.close();
    expect(await em().count(HdRoot, {})).toBe(1);
  });

  it('two processes starting at once on an empty schema end with one root', async () => {
    const other = await createTestEnv();
    const orms: MikroORM[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        orms.push(
          await openSubgraphDatabase({
            schema: 'wallet',
            url: other.config.database.url,
            poolMax: 2,
            entities: walletEntities,
            migrations: walletMigrations,
            log: other.log,
          }),
        );
      }
      await migrateSubgraph(orms[0]!, 'wallet');
      const keyring = () => createMasterKeyring([{ id: 'k1', key: Buffer.from(K1, 'base64') }]);
      const statuses = await Promise.all(
        orms.map((orm) => new CustodyVault(keyring(), other.log).initialize(orm.em.fork())),
      );
      expect(new Set(statuses.map((s) => s.activeRootId)).size).toBe(1);
      expect(statuses.filter((s) => s.generated)).toHaveLength(2); // both saw none; one insert won
      expect(await orms[0]!.em.fork().count(HdRoot, {})).toBe(1);
    } finally {
      for (const orm of orms) await orm.close(true);
      await other.cleanup();
    }
  });
});

describe('start-up refuses a wrong master key or an altered root', () => {
  it('a different key under the same id: a clear error naming the root, not garbage', async () => {
    const [root] = await em().find(HdRoot, {});
    const error = await startError(withKeys(`k1:${K2}`));
    expect(error).toBeInstanceOf(CustodyStartupError);
    expect(error.message).toBe(
      `WALLET_MASTER_KEYS does not match the key that sealed custody root ${root!.id} (master key id "k1"): refusing to use a wrong key`,
    );
    expect(error.message).not.toContain(K1);
    expect(error.message).not.toContain(K2);
  });

  it('the wallet process (what npm run start:wallet runs) exits 1 with a wrong key, logging that error and no key', async () => {
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const result = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(tsx, [main], {
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          LOG_LEVEL: 'trace',
          WALLET_PORT: '0',
          DATABASE_URL: env.config.database.url,
          REDIS_KEY_PREFIX: env.config.redis.keyPrefix,
          NATS_STREAM: env.config.nats.stream,
          NATS_SUBJECT_PREFIX: env.config.nats.subjectPrefix,
          WALLET_MASTER_KEYS: `k1:${K2}`,
        },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(result.code).toBe(1);
    const fatal = result.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } })
      .find((l) => l.level === 60);
    expect(fatal?.msg).toBe('could not start');
    expect(fatal?.err?.message).toMatch(
      /^WALLET_MASTER_KEYS does not match the key that sealed custody root hdr_\w+ \(master key id "k1"\)/,
    );
    for (const key of [K1, K2]) {
      expect(result.out).not.toContain(key);
      expect(result.out).not.toContain(Buffer.from(key, 'base64').toString('hex'));
    }
  });

  it('the sealing key id missing from the configuration', async () => {
    const error = await startError(withKeys(`k2:${K2}`));
    expect(error.message).toMatch(
      /^WALLET_MASTER_KEYS has no key "k1", which sealed custody root hdr_\w+: configure it/,
    );
  });

  it.each([
    ['ciphertext', 'ciphertext'],
    ['auth tag', 'auth_tag'],
    ['IV', 'iv'],
    ['wrapped data key', 'wrapped_data_key'],
    ['wrap tag', 'wrap_tag'],
  ])('a tampered %s is refused', async (_name, column) => {
    const [root] = await sql<Record<string, string>>(`select * from "wallet"."hd_root" where "status" = 'ACTIVE'`);
    await sql(`update "wallet"."hd_root" set "${column}" = ? where "id" = ?`, [flip(root![column]!), root!.id]);
    try {
      const error = await startError(env.config);
      expect(error).toBeInstanceOf(CustodyStartupError);
      expect(error.message).toMatch(new RegExp(`^custody root ${root!.id} failed authentication`));
    } finally {
      await sql(`update "wallet"."hd_root" set "${column}" = ? where "id" = ?`, [root![column], root!.id]);
    }
  });

  it('a tampered master key check reads as a wrong key', async () => {
    const [root] = await sql<Record<string, string>>(`select * from "wallet"."hd_root" where "status" = 'ACTIVE'`);
    await sql(`update "wallet"."hd_root" set "master_key_check" = ? where "id" = ?`, [
      flip(root!.master_key_check!),
      root!.id,
    ]);
    try {
      expect((await startError(env.config)).message).toMatch(
        /^WALLET_MASTER_KEYS does not match the key that sealed custody root/,
      );
    } finally {
      await sql(`update "wallet"."hd_root" set "master_key_check" = ? where "id" = ?`, [
        root!.master_key_check,
        root!.id,
      ]);
    }
  });

  it('the sealed columns copied to another row (other associated data) are refused', async () => {
    const copy = 'hdr_00000000000000000000000000';
    await sql(
      `insert into "wallet"."hd_root" select ?, 'RETIRED', "origin", "fingerprint", "word_count", "ciphertext", "iv", "auth_tag", "wrapped_data_key",
         "wrap_iv", "wrap_tag", "master_key_id", "master_key_check", "created_at", null, now() from "wallet"."hd_root" where "status" = 'ACTIVE'`,
      [copy],
    );
    try {
      expect((await startError(env.config)).message).toMatch(new RegExp(`^custody root ${copy} failed authentication`));
    } finally {
      await sql(`delete from "wallet"."hd_root" where "id" = ?`, [copy]);
    }
    const healthy = await startWith(env.config);
    await healthy.close();
  });
});

describe('wallet:import-root', () => {
  const ring = `k1:${K1}`;

  it('refuses an invalid phrase, and another active root without --replace and a matching --confirm', async () => {
    const vault = vaultOf(ring);
    const active = await vault.activeRoot(em());
    await expect(
      vault.importRoot(em(), 'abandon '.repeat(12), { replace: false, confirm: null }),
    ).rejects.toBeInstanceOf(InvalidMnemonicError);
    const exists = await vault.importRoot(em(), ABOUT, { replace: false, confirm: null }).catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(ActiveRootExistsError);
    expect((exists as Error).message).toContain(`--replace --confirm ${active.id}`);
    expect((exists as Error).message).not.toContain('abandon');
    await expect(vault.importRoot(em(), ABOUT, { replace: true, confirm: null })).rejects.toBeInstanceOf(
      ReplaceConfirmationError,
    );
    await expect(
      vault.importRoot(em(), ABOUT, { replace: true, confirm: 'hdr_00000000000000000000000000' }),
    ).rejects.toBeInstanceOf(ReplaceConfirmationError);
    expect((await vault.activeRoot(em())).id).toBe(active.id);
  });

  it('--replace --confirm retires the active root; re-running is a no-op; an old phrase comes back on its own row', async () => {
    const vault = vaultOf(ring);
    const generated = await vault.activeRoot(em());
    const replaced = await vault.importRoot(em(), ` ${ABOUT.replaceAll(' ', '  ')}\n`, {
      replace: true,
      confirm: generated.id,
    });
    expect(replaced).toMatchObject({ outcome: 'REPLACED', wordCount: 12, retiredRootId: generated.id });
    expect(replaced.fingerprint).toBe(rootFingerprint(await mnemonicToSeed(ABOUT)));
    expect(await vault.importRoot(em(), ABOUT, { replace: false, confirm: null })).toMatchObject({
      outcome: 'ALREADY_ACTIVE',
      rootId: replaced.rootId,
    });

    const legal = await vault.importRoot(em(), LEGAL, { replace: true, confirm: replaced.rootId });
    expect(legal.outcome).toBe('REPLACED');
    const back = await vault.importRoot(em(), ABOUT, { replace: true, confirm: legal.rootId });
    expect(back).toMatchObject({ outcome: 'REACTIVATED', rootId: replaced.rootId, retiredRootId: legal.rootId });

    const rows = await em().find(HdRoot, {}, { orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.id, r.status, r.origin])).toEqual([
      [generated.id, 'RETIRED', 'GENERATED'],
      [replaced.rootId, 'ACTIVE', 'IMPORTED'],
      [legal.rootId, 'RETIRED', 'IMPORTED'],
    ]);
    // the imported root derives what the phrase derives
    const active = await vault.activeRoot(em());
    const seed = await mnemonicToSeed(ABOUT);
    expect(await vault.withSeed(active, (s) => deriveAddress(s, 'ETH', 0))).toBe(deriveAddress(seed, 'ETH', 0));
    // and the subgraph still starts over three roots
    const again = await startWith(env.config);
    await again.close();
  });
});

describe('wallet:rotate-key', () => {
  it('re-wraps row by row, resumes after an interruption, never touches the phrase ciphertext', async () => {
    const before = await sql<Record<string, string>>(`select * from "wallet"."hd_root" order by "created_at"`);
    expect(before.length).toBeGreaterThanOrEqual(3);
    const both = vaultOf(`k1:${K1},k2:${K2}`);
    expect(both.currentKeyId).toBe('k2');

    const seen: RotationStep[] = [];
    await expect(
      both.rotate(em(), 'k2', (step) => {
        seen.push(step);
        throw new Error('power cut after the first root');
      }),
    ).rejects.toThrow('power cut after the first root');
    expect(seen).toEqual([{ rootId: before[0]!.id, from: 'k1', to: 'k2', outcome: 'REWRAPPED' }]);
    const mid = await sql<{ master_key_id: string }>(
      `select "master_key_id" from "wallet"."hd_root" order by "created_at"`,
    );
    expect(mid.map((r) => r.master_key_id)).toEqual(['k2', ...before.slice(1).map(() => 'k1')]);
    // with both keys configured the subgraph still starts mid-rotation
    const midway = await startWith(withKeys(`k1:${K1},k2:${K2}`));
    await midway.close();

    const resumed = await both.rotate(em());
    expect(resumed.map((s) => s.outcome)).toEqual(['ALREADY_CURRENT', ...before.slice(1).map(() => 'REWRAPPED')]);
    expect((await both.rotate(em())).every((s) => s.outcome === 'ALREADY_CURRENT')).toBe(true);

    const after = await sql<Record<string, string>>(`select * from "wallet"."hd_root" order by "created_at"`);
    after.forEach((row, i) => {
      const old = before[i]!;
      expect([row.ciphertext, row.iv, row.auth_tag, row.fingerprint]).toEqual([
        old.ciphertext,
        old.iv,
        old.auth_tag,
        old.fingerprint,
      ]);
      expect(row.master_key_id).toBe('k2');
      expect(row.wrapped_data_key).not.toBe(old.wrapped_data_key);
      expect(row.rewrapped_at).not.toBeNull();
    });

    // the old key can go: k2 alone starts, opens every root, and k1 alone is now refused
    const k2only = await startWith(withKeys(`k2:${K2}`));
    await k2only.close();
    const onlyK2 = vaultOf(`k2:${K2}`);
    const active = await onlyK2.activeRoot(em());
    expect(await onlyK2.withSeed(active, (s) => deriveAddress(s, 'TON', 7))).toBe(
      deriveAddress(await mnemonicToSeed(ABOUT), 'TON', 7),
    );
    expect((await startError(withKeys(`k1:${K1}`))).message).toMatch(/has no key "k2"/);
  });

  it('refuses a target key that is not configured', async () => {
    await expect(vaultOf(`k2:${K2}`).rotate(em(), 'k9')).rejects.toThrow(
      /rotation target is not in WALLET_MASTER_KEYS/,
    );
  });
});
