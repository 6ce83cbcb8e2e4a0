/** A mistake in the command line: reported with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedFlags {
  options: Map<string, string>;
  flags: Set<string>;
}

/** `--name value` / `--name=value` options and bare `--flag`s, each at most once, nothing else. */
export function parseFlags(
  argv: readonly string[],
  options: readonly string[],
  flags: readonly string[] = [],
): ParsedFlags {
  const out: ParsedFlags = { options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z-]+)(?:=(.*))?$/u.exec(arg);
    const name = match?.[1];
    if (!match || name === undefined || (!options.includes(name) && !flags.includes(name)))
      throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    if (out.options.has(name) || out.flags.has(name)) throw new UsageError(`--${name} given twice`);
    if (flags.includes(name)) {
      if (match[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '' || (match[2] === undefined && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    out.options.set(name, value);
  }
  return out;
}
