/** The configured master key cannot open this secret (wrong key, or its id is not configured). */
export class WrongMasterKeyError extends Error {
  readonly code = 'WRONG_MASTER_KEY';
  constructor(
    readonly masterKeyId: string,
    detail: string,
  ) {
    super(`master key "${masterKeyId}": ${detail}`);
    this.name = 'WrongMasterKeyError';
  }
}

/** Authentication failed: ciphertext, IV, tag, wrapped key or associated data was altered. */
export class TamperedCiphertextError extends Error {
  readonly code = 'TAMPERED_CIPHERTEXT';
  constructor(detail: string) {
    super(`sealed secret refused: ${detail}`);
    this.name = 'TamperedCiphertextError';
  }
}

/** Keyring configuration is unusable (bad key length, duplicate id, unknown current id). */
export class MasterKeyConfigError extends Error {
  readonly code = 'MASTER_KEY_CONFIG';
  constructor(detail: string) {
    super(`master key configuration: ${detail}`);
    this.name = 'MasterKeyConfigError';
  }
}
