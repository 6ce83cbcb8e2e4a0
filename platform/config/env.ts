import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { telemetryShape, type TelemetryConfig } from './telemetry.js';

/**
 * The machinery every process's configuration is built with. A process is a list of sections (database,
 * redis, nats, the tokens it signs or verifies, its own settings); each section is a small zod shape of
 * the variables it reads plus a build step that turns them into a typed value. A process validates only
 * the variables of its sections, and every problem of every section is reported in one pass.
 */

export type Env = Record<string, string | undefined>;
export type NodeEnv = 'development' | 'test' | 'production';

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly processName = 'this process',
  ) {
    super(`Invalid configuration for ${processName}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** What a section's build step may use besides its own variables. */
export interface ConfigContext {
  env: NodeEnv;
  production: boolean;
  /** HOST: where this machine's local services listen (default URLs of the other processes). */
  host: string;
  /** Records a problem with a variable (reported with all the others). */
  problem(variable: string, message: string): void;
  /** The parsed value, or `fallback` with the parse error listed under the variable's name. */
  parse<T>(variable: string, fallback: T, parse: () => T): T;
  /** Records that a secret fell back to its dev-only default (logged loudly at start-up). */
  usedDevDefault(variable: string): void;
  /**
   * The value of a section that recorded a problem. Never seen by anyone: load throws when any problem was
   * recorded, so a section needs no made-up key or secret to return.
   */
  invalid<T>(): T;
}

/** A group of variables and the value built from them. */
export interface Section<S extends z.ZodRawShape, T> {
  shape: S;
  build(values: z.output<z.ZodObject<S>>, ctx: ConfigContext): T;
}

export function section<S extends z.ZodRawShape, T>(
  shape: S,
  build: (values: z.output<z.ZodObject<S>>, ctx: ConfigContext) => T,
): Section<S, T> {
  return { shape, build };
}

export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Every process reads these. */
const runtimeShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  /** Overrides the process's own port variable (one process per container). */
  PORT: port.optional(),
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
  /** On SIGTERM, answer /ready 503 this long, still serving, before the drain: load balancers stop sending first. */
  SHUTDOWN_UNREADY_MS: z.coerce.number().int().min(0).default(0),
  ...telemetryShape,
};

export interface RuntimeConfig {
  /** The process this configuration was loaded for (its name in processes/index.ts). */
  process: string;
  env: NodeEnv;
  logLevel: string;
  host: string;
  /** PORT, when set: overrides the process's own port variable. */
  port: number | null;
  shutdownGraceMs: number;
  /** How long /ready answers 503 before the server stops accepting (SHUTDOWN_UNREADY_MS). */
  shutdownUnreadyMs: number;
  /** Tracing (platform/telemetry): off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  telemetry: TelemetryConfig;
  /** Names of secrets that fell back to dev-only defaults (never allowed in production). */
  devDefaultsUsed: string[];
}

type AnySection = Section<z.ZodRawShape, unknown>;
type Built<S extends Record<string, AnySection>> = { [K in keyof S]: ReturnType<S[K]['build']> };

export type ConfigOf<P extends ProcessSpec<unknown>> = P extends ProcessSpec<infer C> ? C : never;

/** One process's configuration: its variables and how to load them. */
export interface ProcessSpec<C> {
  name: string;
  /** Every variable this process reads (what `npm start` hands it, and nothing else). */
  variables: readonly string[];
  /** Parses `env` (only this process's variables are read); throws ConfigError listing every problem. */
  load(env: Env): C;
}

/** An empty variable (FOO= in a .env file) means "not set", as in most tooling. */
function present(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}

/** Each variable of `shape` parsed on its own, so every bad one is named (and the good ones still parse). */
function parseShape(
  shape: z.ZodRawShape,
  vars: Record<string, string>,
  report: (variable: string, message: string) => void,
): { values: Record<string, unknown>; failed: Set<string> } {
  const values: Record<string, unknown> = {};
  const failed = new Set<string>();
  for (const [variable, schema] of Object.entries(shape)) {
    const parsed = schema.safeParse(vars[variable]);
    if (parsed.success) values[variable] = parsed.data;
    else {
      failed.add(variable);
      for (const issue of parsed.error.issues) report(variable, issue.message);
    }
  }
  return { values, failed };
}

export function defineProcess<S extends Record<string, AnySection>>(
  name: string,
  sections: S,
): ProcessSpec<RuntimeConfig & Built<S>> {
  const variables = [
    ...new Set([...Object.keys(runtimeShape), ...Object.values(sections).flatMap((s) => Object.keys(s.shape))]),
  ].sort();
  return {
    name,
    variables,
    load(env) {
      const vars = present(env);
      const problems: string[] = [];
      const report = (variable: string, message: string) => problems.push(`${variable}: ${message}`);
      const runtime = parseShape(runtimeShape, vars, report);
      const r = runtime.values as z.output<z.ZodObject<typeof runtimeShape>>;
      // With NODE_ENV unreadable, judge secrets as production would (the strictest); the NODE_ENV problem is listed.
      const nodeEnv: NodeEnv = r.NODE_ENV ?? 'production';
      const host = r.HOST ?? '127.0.0.1';
      const devDefaultsUsed: string[] = [];
      const context = (problem: (variable: string, message: string) => void): ConfigContext => ({
        env: nodeEnv,
        production: nodeEnv === 'production',
        host,
        problem,
        parse: (variable, fallback, parse) => {
          try {
            return parse();
          } catch (err) {
            problem(variable, (err as Error).message);
            return fallback;
          }
        },
        usedDevDefault: (variable) => devDefaultsUsed.push(variable),
        invalid: <T>() => undefined as T,
      });
      const built: Record<string, unknown> = {};
      for (const [key, s] of Object.entries(sections)) {
        const { values, failed } = parseShape(s.shape, vars, report);
        if (!failed.size) {
          built[key] = s.build(values as never, context(report));
          continue;
        }
        // Still build, only to find the problems of the section's other variables (e.g. a bad key beside a bad
        // lifetime); the value is never used, since load throws.
        try {
          s.build(
            values as never,
            context((variable, message) => failed.has(variable) || report(variable, message)),
          );
        } catch {
          /* a build step that cannot run without the failed variables: their problems are reported */
        }
      }
      // Sections may share a variable (e.g. the subgraph ports): report each problem once.
      if (problems.length) throw new ConfigError([...new Set(problems)], name);
      return {
        process: name,
        env: nodeEnv,
        logLevel: r.LOG_LEVEL,
        host,
        port: r.PORT ?? null,
        shutdownGraceMs: r.SHUTDOWN_GRACE_MS,
        shutdownUnreadyMs: r.SHUTDOWN_UNREADY_MS,
        telemetry: {
          endpoint: r.OTEL_EXPORTER_OTLP_ENDPOINT ?? null,
          serviceName: r.OTEL_SERVICE_NAME ?? null,
        },
        devDefaultsUsed,
        ...built,
      } as RuntimeConfig & Built<S>;
    },
  };
}

/**
 * The environment a process starts with: the file named by ENV_FILE (default ./.env, if there is one) under
 * the real environment; ENV_FILE=none reads no file (what `npm start` gives its children, which it hands
 * exactly their own variables). The file is read, not loaded into process.env.
 */
export function processEnvironment(source: Env = process.env): Env {
  const file = source.ENV_FILE || '.env';
  if (file === 'none') return source;
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...source };
}

/** Only the variables `spec` reads. */
export function pickVariables(env: Env, spec: ProcessSpec<unknown>): Env {
  return Object.fromEntries(spec.variables.filter((v) => env[v] !== undefined).map((v) => [v, env[v]]));
}

/**
 * Every problem of every process in `specs` under `env`, grouped by process (`npm start` checks all of its
 * children before starting any); empty when all of them load.
 */
export function problemsOfProcesses(specs: readonly ProcessSpec<unknown>[], env: Env): string[] {
  const lines: string[] = [];
  for (const spec of new Set(specs)) {
    try {
      spec.load(env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      lines.push(`${spec.name}:`, ...err.problems.map((p) => `  - ${p}`));
    }
  }
  return lines;
}

/** What a child process needs from the machine besides its configuration. */
const SYSTEM_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'TERM',
  'NODE_OPTIONS',
  'NODE_EXTRA_CA_CERTS',
  'NO_COLOR',
  'FORCE_COLOR',
];

/**
 * The environment `npm start` gives the child running `spec`: the machine's basics, this process's own
 * variables and nothing else, and ENV_FILE=none so it does not read the other processes' secrets from .env.
 */
export function childEnvironment(spec: ProcessSpec<unknown>, env: Env, system: Env = process.env): Env {
  const basics = Object.fromEntries(SYSTEM_VARIABLES.filter((v) => system[v] !== undefined).map((v) => [v, system[v]]));
  return { ...basics, ...pickVariables(env, spec), ENV_FILE: 'none' };
}

/** For entrypoints: loads `spec` from the environment (and ./.env), prints every problem and exits 1 instead of throwing. */
export function loadOrExit<C>(spec: ProcessSpec<C>, env: Env = processEnvironment()): C {
  try {
    return spec.load(pickVariables(env, spec));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
