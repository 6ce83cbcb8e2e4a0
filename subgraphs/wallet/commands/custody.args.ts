import { parseFlags, UsageError } from './args.js';

export { UsageError } from './args.js';

export const IMPORT_ROOT_USAGE = `usage: npm run -s wallet:import-root [-- --replace --confirm <active root id>] < phrase.txt
Reads a BIP39 phrase on stdin (on a terminal: typed without echo, ended by Enter).
With no active root, the phrase becomes the active custody root. If it already is the active root,
nothing changes. Replacing another active root needs --replace AND --confirm naming that root: it is
retired (kept: wallets derived from it stay on it) and the phrase becomes active.`;

export const ROTATE_KEY_USAGE = `usage: npm run -s wallet:rotate-key [-- --to <master key id>]
Re-wraps every custody root's data key under --to (default WALLET_MASTER_KEY_ID, else the last key of
WALLET_MASTER_KEYS). WALLET_MASTER_KEYS must hold the old and the new key. Safe to re-run.`;

export interface ImportRootArgs {
  replace: boolean;
  confirm: string | null;
}

export interface RotateKeyArgs {
  to: string | null;
}

export function parseImportRootArgs(argv: readonly string[]): ImportRootArgs {
  const { options, flags } = parseFlags(argv, ['confirm'], ['replace']);
  const confirm = options.get('confirm') ?? null;
  const replace = flags.has('replace');
  if (confirm !== null && !replace) throw new UsageError('--confirm only goes with --replace');
  if (confirm !== null && !/^hdr_[0-9a-z]{26}$/u.test(confirm))
    throw new UsageError('--confirm takes a custody root id (hdr_…)');
  return { replace, confirm };
}

export function parseRotateKeyArgs(argv: readonly string[]): RotateKeyArgs {
  const to = parseFlags(argv, ['to']).options.get('to') ?? null;
  if (to !== null && !/^[A-Za-z0-9._-]{1,64}$/u.test(to)) throw new UsageError('--to takes a master key id');
  return { to };
}
