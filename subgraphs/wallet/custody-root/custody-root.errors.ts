/**
 * Refusals of the custody root store. Messages name root ids, key ids and fingerprints only: never
 * a phrase, a seed, a key or ciphertext.
 */

/** The wallet subgraph must not start: wrong or missing master key, or a root that fails to open. */
export class CustodyStartupError extends Error {
  readonly code = 'CUSTODY_STARTUP';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CustodyStartupError';
  }
}

/** `wallet:import-root` without `--replace`, while another root is active. */
export class ActiveRootExistsError extends Error {
  readonly code = 'ACTIVE_ROOT_EXISTS';
  constructor(
    readonly rootId: string,
    readonly fingerprint: string,
    readonly wallets: number,
  ) {
    super(
      `custody root ${rootId} (fingerprint ${fingerprint}, ${wallets} wallet(s) derived from it) is active; ` +
        `to retire it and make the imported phrase the active root, run again with --replace --confirm ${rootId}`,
    );
    this.name = 'ActiveRootExistsError';
  }
}

/** `--replace` whose `--confirm` does not name the root that is active now. */
export class ReplaceConfirmationError extends Error {
  readonly code = 'REPLACE_NOT_CONFIRMED';
  constructor(
    readonly activeRootId: string,
    given: string | null,
  ) {
    super(
      given === null
        ? `--replace needs --confirm ${activeRootId} (the id of the root it retires)`
        : `--confirm ${given} does not name the active root (${activeRootId}); nothing was changed`,
    );
    this.name = 'ReplaceConfirmationError';
  }
}
