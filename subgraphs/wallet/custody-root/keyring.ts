import type { MasterKeySet } from '../../../platform/config/config.js';
import { createMasterKeyring, type MasterKeyring } from '../custody/index.js';

/** The keyring from WALLET_MASTER_KEYS; the copies handed out by the config are zeroed once it holds them. */
export function buildKeyring(config: { wallet: { masterKeys: MasterKeySet } }): MasterKeyring {
  const entries = config.wallet.masterKeys.entries();
  try {
    return createMasterKeyring(entries, config.wallet.masterKeys.currentId);
  } finally {
    for (const entry of entries) entry.key.fill(0);
  }
}
