import { MAX_CUSTODY_INDEX } from '../custody/derivation.js';
import { isNetwork, NETWORKS, type Network } from '../custody/network.js';

export const DERIVE_USAGE = `usage: npm run -s wallet:derive -- --network <${NETWORKS.join('|')}> --index <n>
The mnemonic is read from WALLET_MNEMONIC, or from stdin when that is unset.`;

/** A mistake in the command line: reported with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface DeriveArgs {
  network: Network;
  index: number;
}

/** `--network <n> --index <i>` (or `--name=value`), each exactly once; nothing else. */
export function parseDeriveArgs(argv: readonly string[]): DeriveArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--(network|index)(?:=(.*))?$/u.exec(arg);
    if (!match) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    const name = match[1]!;
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '' || (match[2] === undefined && value.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value`);
    }
    if (values.has(name)) throw new UsageError(`--${name} given twice`);
    values.set(name, value);
  }
  const network = values.get('network');
  const index = values.get('index');
  if (network === undefined) throw new UsageError('--network is required');
  if (index === undefined) throw new UsageError('--index is required');
  const upper = network.toUpperCase();
  if (!isNetwork(upper)) throw new UsageError(`unknown network ${JSON.stringify(network)} (expected ${NETWORKS.join(', ')})`);
  if (!/^\d{1,10}$/u.test(index) || Number(index) > MAX_CUSTODY_INDEX) {
    throw new UsageError(`--index must be an integer in [0, ${MAX_CUSTODY_INDEX}]`);
  }
  return { network: upper, index: Number(index) };
}
