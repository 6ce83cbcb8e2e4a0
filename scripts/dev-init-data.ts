import { randomBytes } from 'node:crypto';
import { devInitDataProcess, loadOrExit } from '../platform/config/config.js';
import { signInitData } from '../subgraphs/identity/auth/telegram-init-data.js';

/**
 * npm run -s dev:init-data -- [--id 123456] [--username alice] [--lang en] [--url http://127.0.0.1:4000/app]
 * Prints Telegram Mini App initData signed with this environment's bot token, to paste into
 * signInWithTelegram when developing without Telegram. Refuses in production. Each call is a new launch (its own
 * query_id), as Telegram gives: identity signs each initData in only once. With `--url` it prints the Mini App launch
 * URL instead: the initData in the hash as Telegram passes it (`#tgWebAppData=…&tgWebAppVersion=…&tgWebAppPlatform=…`).
 */
const config = loadOrExit(devInitDataProcess);
if (config.env === 'production') {
  process.stderr.write('dev:init-data signs initData with the bot token; it is refused in production\n');
  process.exit(2);
}
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const id = Number(args.get('id') ?? 100000001);
if (!Number.isSafeInteger(id) || id <= 0) {
  process.stderr.write('--id must be a positive integer\n');
  process.exit(2);
}
const user = {
  id,
  first_name: args.get('first-name') ?? 'Dev',
  username: args.get('username') ?? `dev${id}`,
  language_code: args.get('lang') ?? 'en',
};
const initData = signInitData(config.telegram.botToken, {
  query_id: `AAH${id}-${randomBytes(6).toString('hex')}`,
  user: JSON.stringify(user),
  auth_date: String(Math.floor(Date.now() / 1000)),
});
const url = args.get('url');
const launch = new URLSearchParams({ tgWebAppData: initData, tgWebAppVersion: '7.0', tgWebAppPlatform: 'web' });
process.stdout.write(`${url ? `${url}#${launch}` : initData}\n`);
