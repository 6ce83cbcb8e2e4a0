import { UsageError } from './derive.args.js';

export { UsageError } from './derive.args.js';

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

/** `--name value` / `--name=value` pairs and bare flags; each at most once, nothing else. */
function parse(argv: readonly string[], valued: readonly string[], flags: readonly string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/u.exec(arg);
    const name = match?.[1];
    if (!match || name === undefined || (!valued.includes(name) && !flags.includes(name))) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    if (out.has(name)) throw new UsageError(`--${name} given twice`);
    if (flags.includes(name)) {
      if (match[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      out.set(name, true);
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '' || (match[2] === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

export function parseImportRootArgs(argv: readonly string[]): ImportRootArgs {
  const args = parse(argv, ['confirm'], ['replace']);
  const confirm = args.get('confirm');
  const replace = args.get('replace') === true;
  if (typeof confirm === 'string' && !replace) throw new UsageError('--confirm only goes with --replace');
  if (typeof confirm === 'string' && !/^hdr_[0-9a-z]{26}$/u.test(confirm)) throw new UsageError('--confirm takes a custody root id (hdr_…)');
  return { replace, confirm: typeof confirm === 'string' ? confirm : null };
}

export function parseRotateKeyArgs(argv: readonly string[]): RotateKeyArgs {
  const to = parse(argv, ['to'], []).get('to');
  if (typeof to === 'string' && !/^[A-Za-z0-9._-]{1,64}$/u.test(to)) throw new UsageError('--to takes a master key id');
  return { to: typeof to === 'string' ? to : null };
}
