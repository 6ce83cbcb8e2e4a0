import type { Config } from '../../platform/config/config.js';
import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import type { Logger } from '../../platform/logger.js';
import type { SubgraphDefinition } from '../../platform/service/subgraph.js';
import { walletMigrations } from '../../migrations/wallet/index.js';
import { AddressResolver } from './address/address.resolver.js';
import type { WalletServices } from './context.js';
import type { MasterKeyring } from './custody/index.js';
import { CustodyVault } from './custody-root/custody-vault.js';
import { buildKeyring } from './custody-root/keyring.js';
import { walletEntities } from './entities.js';
import { walletReference, walletUserReference } from './wallet/wallet.reference.js';
import { WalletResolver, WalletUserResolver } from './wallet/wallet.resolver.js';
import { WalletUser } from './wallet/wallet.type.js';
import { WalletService } from './wallet/wallet.service.js';

export function buildWalletServices(config: Config, log: Logger, keyring: MasterKeyring): WalletServices {
  const vault = new CustodyVault(keyring, log.child({ component: 'custody-vault' }));
  const wallets = new WalletService(vault, { maxWalletsPerNetwork: config.wallet.maxWalletsPerNetwork });
  return { vault, wallets };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildWalletSchema() {
  return buildSubgraph({
    resolvers: [WalletResolver, WalletUserResolver, AddressResolver],
    orphanedTypes: [WalletUser],
    references: { Wallet: walletReference, User: walletUserReference },
  });
}

export const walletSubgraph: SubgraphDefinition = {
  name: 'wallet',
  entities: walletEntities,
  migrations: walletMigrations,
  async build(deps) {
    const keyring = buildKeyring(deps.config);
    try {
      const services = buildWalletServices(deps.config, deps.log, keyring);
      // Refuses to start (CustodyStartupError) on a wrong or missing master key or a root that fails to open.
      const status = await services.vault.initialize(deps.orm.em.fork());
      deps.log.info({ rootId: status.activeRootId, fingerprint: status.fingerprint, roots: status.roots, masterKeyId: keyring.currentId }, 'custody roots verified');
      if (status.notOnCurrentKey.length) {
        deps.log.warn({ roots: status.notOnCurrentKey, currentKeyId: keyring.currentId }, 'custody roots wrapped by an older master key: run npm run wallet:rotate-key');
      }
      const schema = await buildWalletSchema();
      return {
        schema,
        background: [{ stop: async () => keyring.destroy() }],
        context: () => ({ wallet: services }),
      };
    } catch (err) {
      keyring.destroy();
      throw err;
    }
  },
};
