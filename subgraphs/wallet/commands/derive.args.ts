import { MAX_CUSTODY_INDEX } from '../custody/derivation.js';
import { isNetwork, NETWORKS, type Network } from '../../../chains/network.js';
import { parseFlags, UsageError } from './args.js';

export const DERIVE_USAGE = `usage: npm run -s wallet:derive -- --network <${NETWORKS.join('|')}> --index <n>
The mnemonic is read from WALLET_MNEMONIC, or from stdin when that is unset.`;

export { UsageError } from './args.js';

export interface DeriveArgs {
  network: Network;
  index: number;
}

/** `--network <n> --index <i>` (or `--name=value`), each exactly once; nothing else. */
export function parseDeriveArgs(argv: readonly string[]): DeriveArgs {
  const values = parseFlags(argv, ['network', 'index']).options;
  const network = values.get('network');
  const index = values.get('index');
  if (network === undefined) throw new UsageError('--network is required');
  if (index === undefined) throw new UsageError('--index is required');
  const upper = network.toUpperCase();
  if (!isNetwork(upper))
    throw new UsageError(`unknown network ${JSON.stringify(network)} (expected ${NETWORKS.join(', ')})`);
  if (!/^\d{1,10}$/u.test(index) || Number(index) > MAX_CUSTODY_INDEX) {
    throw new UsageError(`--index must be an integer in [0, ${MAX_CUSTODY_INDEX}]`);
  }
  return { network: upper, index: Number(index) };
}
