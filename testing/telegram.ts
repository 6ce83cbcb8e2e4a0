import { signInitData } from '../subgraphs/identity/auth/telegram-init-data.js';
import { TEST_BOT_TOKEN } from './test-env.js';

let nextTelegramId = 100_000_000 + Math.floor(Math.random() * 1_000_000);
let launches = 0;

export interface TestTelegramUser {
  id: number;
  username: string;
  first_name: string;
  language_code: string;
}

export function newTelegramUser(overrides: Partial<TestTelegramUser> = {}): TestTelegramUser {
  const id = nextTelegramId++;
  return { id, username: `user${id}`, first_name: `User ${id}`, language_code: 'en', ...overrides };
}

/**
 * initData as the Telegram client would send it for this user, signed with the test bot token. Each call is a
 * new Mini App launch (its own query_id), as with a real client: the identity subgraph signs each initData in once.
 */
export function initDataFor(user: TestTelegramUser, options: { authDate?: number; botToken?: string } = {}): string {
  const authDate = options.authDate ?? Math.floor(Date.now() / 1000);
  return signInitData(options.botToken ?? TEST_BOT_TOKEN, {
    query_id: `AAH${user.id}-${++launches}`,
    user: JSON.stringify(user),
    auth_date: String(authDate),
  });
}
