import { timingSafeEqual } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import {
  assertMasterKeysMatch,
  generateMnemonic,
  InvalidMnemonicError,
  normalizeMnemonic,
  openSecret,
  phraseToSeed,
  rewrapDataKey,
  rootFingerprint,
  sealSecret,
  TamperedCiphertextError,
  validateMnemonic,
  WrongMasterKeyError,
  type MasterKeyring,
} from '../custody/index.js';
import { Wallet } from '../wallet/wallet.entity.js';
import { ActiveRootExistsError, CustodyStartupError, ReplaceConfirmationError } from './custody-root.errors.js';
import { HdRoot, rootAad, sealedOf, type HdRootOrigin } from './hd-root.entity.js';

export interface VaultStatus {
  activeRootId: string;
  fingerprint: string;
  /** True when this start generated the active root (first start on an empty schema). */
  generated: boolean;
  roots: number;
  /** Roots still wrapped by a key other than the current one: run `wallet:rotate-key`. */
  notOnCurrentKey: string[];
}

export type ImportOutcome = 'IMPORTED' | 'ALREADY_ACTIVE' | 'REPLACED' | 'REACTIVATED';

export interface ImportResult {
  outcome: ImportOutcome;
  rootId: string;
  fingerprint: string;
  wordCount: number;
  /** The root that --replace retired, if any. */
  retiredRootId: string | null;
}

export interface RotationStep {
  rootId: string;
  from: string;
  to: string;
  outcome: 'REWRAPPED' | 'ALREADY_CURRENT';
}

const encoder = new TextEncoder();

/**
 * The only holder of custody secrets in the wallet subgraph. It keeps the master keyring; phrases
 * and seeds exist only inside `withSeed` (opened for one operation, zeroed when it settles). It never
 * logs, returns or throws anything derived from a secret: only root ids, key ids and fingerprints.
 */
export class CustodyVault {
  constructor(
    private readonly keyring: MasterKeyring,
    private readonly log: Logger,
  ) {}

  get currentKeyId(): string {
    return this.keyring.currentId;
  }

  /**
   * Start-up check, before the subgraph serves anything: every stored root names a configured master
   * key whose fingerprint matches, and opens (authenticated, bound to its row) to the phrase its
   * fingerprint names. Generates the first root when there is none. Throws CustodyStartupError.
   */
  async initialize(em: EntityManager): Promise<VaultStatus> {
    const roots = await em.find(HdRoot, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
    for (const root of roots) this.assertKeyFor(root);
    for (const root of roots) await this.assertOpens(root);
    let active = roots.find((r) => r.status === 'ACTIVE') ?? null;
    let generated = false;
    if (!active) {
      active = await this.generateRoot(em);
      generated = true;
    }
    const all = generated ? await em.find(HdRoot, {}) : roots;
    return {
      activeRootId: active.id,
      fingerprint: active.fingerprint,
      generated,
      roots: all.length,
      notOnCurrentKey: all.filter((r) => r.masterKeyId !== this.keyring.currentId).map((r) => r.id),
    };
  }

  /** The root new wallets derive from, read fresh (an import or rotation may have changed it). */
  async activeRoot(em: EntityManager): Promise<HdRoot> {
    const root = await em.findOne(HdRoot, { status: 'ACTIVE' }, { refresh: true });
    if (!root)
      throw new CustodyStartupError(
        'no active custody root: the wallet subgraph creates one on start, or import one with npm run wallet:import-root',
      );
    return root;
  }

  /**
   * Opens `root` for one operation: `fn` gets the 64-byte BIP39 seed, which is zeroed (as is the
   * phrase) when `fn` settles. `fn` must not keep or return the seed or anything secret derived from it.
   */
  async withSeed<T>(root: HdRoot, fn: (seed: Uint8Array) => T | Promise<T>): Promise<T> {
    const phrase = openSecret(sealedOf(root), this.keyring, rootAad(root.id));
    let seed: Uint8Array;
    try {
      seed = await phraseToSeed(phrase);
    } finally {
      phrase.fill(0);
    }
    try {
      const result = await fn(seed);
      if (result === (seed as unknown)) throw new Error('withSeed callback must not return the seed');
      return result;
    } finally {
      seed.fill(0);
    }
  }

  /**
   * Imports a phrase for recovery (`wallet:import-root`). With no active root it becomes the active
   * one. If it is already the active root, nothing changes (safe to re-run). Another active root is
   * replaced only with `replace` and a `confirm` that names it: that root is RETIRED (kept: its wallets still hold
   * funds and keep deriving from it) and the phrase becomes active, reusing its row if it was retired.
   */
  async importRoot(
    em: EntityManager,
    phraseText: string,
    options: { replace: boolean; confirm: string | null },
  ): Promise<ImportResult> {
    const normalized = normalizeMnemonic(phraseText);
    if (!validateMnemonic(normalized)) throw new InvalidMnemonicError();
    const phrase = encoder.encode(normalized);
    try {
      const fingerprint = await this.fingerprintOf(phrase);
      const wordCount = normalized.split(' ').length;
      return await em.transactional(async (tx) => {
        const roots = await tx.find(
          HdRoot,
          {},
          { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { createdAt: 'asc', id: 'asc' }, refresh: true },
        );
        for (const root of roots) this.assertKeyFor(root);
        const active = roots.find((r) => r.status === 'ACTIVE') ?? null;
        let same: HdRoot | null = null;
        for (const root of roots) if (root.fingerprint === fingerprint && this.holdsPhrase(root, phrase)) same = root;
        if (same && same === active)
          return { outcome: 'ALREADY_ACTIVE', rootId: same.id, fingerprint, wordCount, retiredRootId: null };
        if (active) {
          if (!options.replace)
            throw new ActiveRootExistsError(
              active.id,
              active.fingerprint,
              await tx.count(Wallet, { rootId: active.id }),
            );
          if (options.confirm !== active.id) throw new ReplaceConfirmationError(active.id, options.confirm);
          active.status = 'RETIRED';
          active.retiredAt = new Date();
          await tx.flush(); // the one-active index must see the old root retired first
        }
        const retiredRootId = active?.id ?? null;
        if (same) {
          same.status = 'ACTIVE';
          same.retiredAt = null;
          await tx.flush();
          this.log.warn({ rootId: same.id, fingerprint, retiredRootId }, 'custody root reactivated by import');
          return { outcome: 'REACTIVATED', rootId: same.id, fingerprint, wordCount, retiredRootId };
        }
        const root = this.sealRoot(phrase, fingerprint, wordCount, 'IMPORTED');
        tx.persist(root);
        await tx.flush();
        this.log.warn({ rootId: root.id, fingerprint, retiredRootId }, 'custody root imported');
        return { outcome: active ? 'REPLACED' : 'IMPORTED', rootId: root.id, fingerprint, wordCount, retiredRootId };
      });
    } finally {
      phrase.fill(0);
    }
  }

  /**
   * Re-wraps every root's data key under `targetKeyId` (default: the current key), one row per
   * transaction. The phrase ciphertext is never decrypted or changed. A row already on the target is
   * verified and left alone, so an interrupted rotation is finished by running it again.
   */
  async rotate(
    em: EntityManager,
    targetKeyId: string = this.keyring.currentId,
    afterStep?: (step: RotationStep) => Promise<void> | void,
  ): Promise<RotationStep[]> {
    if (!this.keyring.has(targetKeyId))
      throw new WrongMasterKeyError(targetKeyId, 'rotation target is not in WALLET_MASTER_KEYS');
    const ids = (await em.find(HdRoot, {}, { fields: ['id'], orderBy: { createdAt: 'asc', id: 'asc' } })).map(
      (r) => r.id,
    );
    const steps: RotationStep[] = [];
    for (const id of ids) {
      const step = await em.fork().transactional(async (tx): Promise<RotationStep> => {
        const root = await tx.findOneOrFail(HdRoot, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        this.assertKeyFor(root);
        const from = root.masterKeyId;
        const next = rewrapDataKey(sealedOf(root), this.keyring, targetKeyId);
        if (from === targetKeyId) return { rootId: id, from, to: targetKeyId, outcome: 'ALREADY_CURRENT' };
        root.wrappedDataKey = next.wrappedDataKey;
        root.wrapIv = next.wrapIv;
        root.wrapTag = next.wrapTag;
        root.masterKeyId = next.masterKeyId;
        root.masterKeyCheck = next.masterKeyCheck;
        root.rewrappedAt = new Date();
        return { rootId: id, from, to: targetKeyId, outcome: 'REWRAPPED' };
      });
      this.log.info({ ...step }, 'custody root data key checked');
      steps.push(step);
      await afterStep?.(step);
    }
    return steps;
  }

  /** The configured key with the root's key id exists and is the key that sealed it. */
  private assertKeyFor(root: HdRoot): void {
    try {
      assertMasterKeysMatch(this.keyring, { [root.masterKeyId]: root.masterKeyCheck });
    } catch (err) {
      if (!(err instanceof WrongMasterKeyError)) throw err;
      if (!this.keyring.has(root.masterKeyId)) {
        throw new CustodyStartupError(
          `WALLET_MASTER_KEYS has no key "${root.masterKeyId}", which sealed custody root ${root.id}: configure it ` +
            '(a retired key stays configured until npm run wallet:rotate-key has re-wrapped every root)',
          { cause: err },
        );
      }
      throw new CustodyStartupError(
        `WALLET_MASTER_KEYS does not match the key that sealed custody root ${root.id} (master key id "${root.masterKeyId}"): refusing to use a wrong key`,
        { cause: err },
      );
    }
  }

  /** Opens the root (authenticated, bound to its row id) and checks it is the phrase its fingerprint names. */
  private async assertOpens(root: HdRoot): Promise<void> {
    let fingerprint: string;
    try {
      fingerprint = await this.withSeed(root, (seed) => rootFingerprint(seed));
    } catch (err) {
      if (err instanceof TamperedCiphertextError || err instanceof InvalidMnemonicError) {
        throw new CustodyStartupError(
          `custody root ${root.id} failed authentication (its ciphertext, wrapped key or row binding was altered): refusing to start`,
          { cause: err },
        );
      }
      throw err;
    }
    if (fingerprint !== root.fingerprint) {
      throw new CustodyStartupError(
        `custody root ${root.id} opens to a phrase with fingerprint ${fingerprint}, not the stored ${root.fingerprint}: refusing to start`,
      );
    }
  }

  /** Constant-time comparison of a stored root's phrase with `phrase`; the opened copy is zeroed. */
  private holdsPhrase(root: HdRoot, phrase: Uint8Array): boolean {
    const stored = openSecret(sealedOf(root), this.keyring, rootAad(root.id));
    try {
      return stored.length === phrase.length && timingSafeEqual(stored, phrase);
    } finally {
      stored.fill(0);
    }
  }

  /** The root fingerprint of a phrase; the seed it derives is wiped straight after. */
  private async fingerprintOf(phrase: Uint8Array): Promise<string> {
    const seed = await phraseToSeed(phrase);
    try {
      return rootFingerprint(seed);
    } finally {
      seed.fill(0);
    }
  }

  private sealRoot(phrase: Uint8Array, fingerprint: string, wordCount: number, origin: HdRootOrigin): HdRoot {
    const root = new HdRoot();
    root.id = newId('hdr');
    root.status = 'ACTIVE';
    root.origin = origin;
    root.fingerprint = fingerprint;
    root.wordCount = wordCount;
    Object.assign(root, sealSecret(phrase, this.keyring, rootAad(root.id)));
    return root;
  }

  /** First start: a fresh 24-word root. Two processes starting at once: one insert wins, both use it. */
  private async generateRoot(em: EntityManager): Promise<HdRoot> {
    const phrase = encoder.encode(generateMnemonic());
    let root: HdRoot;
    try {
      root = this.sealRoot(phrase, await this.fingerprintOf(phrase), 24, 'GENERATED');
    } finally {
      phrase.fill(0);
    }
    const inserted = await em.execute<{ id: string }[]>(
      `insert into "wallet"."hd_root" ("id", "status", "origin", "fingerprint", "word_count", "ciphertext", "iv", "auth_tag",
         "wrapped_data_key", "wrap_iv", "wrap_tag", "master_key_id", "master_key_check")
       values (?, 'ACTIVE', 'GENERATED', ?, 24, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning "id"`,
      [
        root.id,
        root.fingerprint,
        root.ciphertext,
        root.iv,
        root.authTag,
        root.wrappedDataKey,
        root.wrapIv,
        root.wrapTag,
        root.masterKeyId,
        root.masterKeyCheck,
      ],
    );
    const active = await this.activeRoot(em);
    if (inserted.length > 0) {
      this.log.warn(
        { rootId: active.id, fingerprint: active.fingerprint, masterKeyId: active.masterKeyId },
        'generated a new custody root: its only copy is this database row sealed by the master key; back up both (see subgraphs/wallet/README.md)',
      );
    } else {
      await this.assertOpens(active);
    }
    return active;
  }
}
