import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** clients/mini-app: the Vite project; dist/ is what the gateway serves under /app. */
export const MINI_APP_ROOT = fileURLToPath(new URL('.', import.meta.url));
export const MINI_APP_DIST = join(MINI_APP_ROOT, 'dist');

/** What a build reads: the app's sources, its Vite config and page, and the SDK's typed documents. */
const INPUTS = ['src', 'index.html', 'vite.config.ts', '../sdk/index.ts'].map((p) => join(MINI_APP_ROOT, p));

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** True when dist/ is missing or older than any input. */
export function miniAppStale(): boolean {
  const index = join(MINI_APP_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return INPUTS.some((input) => existsSync(input) && newestMtime(input) > built);
}

/** Builds the Mini App with Vite into dist/ (`onlyIfStale`: skip when dist/ is newer than every input). */
export async function buildMiniApp(options: { onlyIfStale?: boolean } = {}): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  if (options.onlyIfStale && !miniAppStale()) return { built: false, ms: 0 };
  const { build } = await import('vite');
  await build({ configFile: join(MINI_APP_ROOT, 'vite.config.ts'), root: MINI_APP_ROOT, logLevel: 'warn' });
  return { built: true, ms: Date.now() - started };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { ms } = await buildMiniApp();
  process.stdout.write(`mini app built into ${MINI_APP_DIST} in ${ms} ms\n`);
}
