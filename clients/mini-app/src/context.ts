import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Language } from '../../sdk/index.js';
import type { Session } from './api.js';
import type { Live } from './live.js';
import type { Strings } from './i18n.js';
import type { TelegramBridge } from './telegram.js';

/** What every screen needs: the session (HTTP), the socket, Telegram, and the user's language. */
export interface AppContext {
  session: Session;
  live: Live;
  telegram: TelegramBridge;
  language: Language;
  s: Strings;
}

export const Ctx = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useApp outside the app');
  return ctx;
}
