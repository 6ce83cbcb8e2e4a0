import {
  backButton,
  init,
  isColorDark,
  mainButton,
  retrieveRawInitData,
  themeParams,
  miniApp,
} from '@telegram-apps/sdk';
import { launchParams } from './route.js';

/**
 * The Telegram side of the app, through @telegram-apps/sdk (bundled, nothing from Telegram's CDN): the raw initData
 * Telegram put in the URL hash (`#tgWebAppData=…`), the theme parameters as CSS variables (`--tg-theme-*`), and the
 * native MainButton / BackButton. Opened outside a Telegram client (a browser tab, the tests), the SDK has no one
 * to talk to: `embedded` is false and the app draws its own buttons with the same handlers.
 */
export interface TelegramBridge {
  initData: string | null;
  /** Inside a Telegram client (native buttons exist); false in a plain browser tab. */
  embedded: boolean;
  dark: boolean;
  setMainButton(button: { text: string; enabled: boolean; loading: boolean } | null, onClick: () => void): void;
  setBackButton(onBack: (() => void) | null): void;
}

/**
 * The raw initData, as signed by Telegram. The SDK validates the whole launch-parameter set (it also wants
 * tgWebAppThemeParams, which every Telegram client sends); a hand-made launch URL with only tgWebAppData,
 * tgWebAppVersion and tgWebAppPlatform (local development, tests) is read from the hash directly. The server checks
 * the signature either way.
 */
function readInitData(): string | null {
  try {
    const raw = retrieveRawInitData();
    if (raw) return raw;
  } catch {
    // not a complete Telegram launch: fall through to the hash
  }
  return launchParams(location.hash).get('tgWebAppData');
}

/**
 * The theme from the hash (`tgWebAppThemeParams={"bg_color":"#17212b",…}`) as the same `--tg-theme-*` variables
 * the SDK binds, for launches the SDK refuses as a whole (see readInitData). Returns whether it is dark.
 */
function applyThemeFromHash(): boolean | null {
  const raw = launchParams(location.hash).get('tgWebAppThemeParams');
  if (!raw) return null;
  try {
    const params = JSON.parse(raw) as Record<string, unknown>;
    for (const [key, value] of Object.entries(params))
      if (typeof value === 'string' && /^#[0-9a-f]{3,8}$/i.test(value))
        document.documentElement.style.setProperty(`--tg-theme-${key.replace(/_/g, '-')}`, value);
    return typeof params.bg_color === 'string' ? isColorDark(params.bg_color) : null;
  } catch {
    return null;
  }
}

export function connectTelegram(): TelegramBridge {
  const w = window as unknown as { TelegramWebviewProxy?: unknown };
  const embedded = window.parent !== window || w.TelegramWebviewProxy !== undefined;
  const initData = readInitData();
  let dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  let themed = false;
  try {
    init();
    if (themeParams.mountSync.isAvailable()) {
      themeParams.mountSync();
      themeParams.bindCssVars();
      if (Object.keys(themeParams.state()).length) {
        dark = themeParams.isDark();
        themed = true;
      }
    }
    if (embedded) {
      mainButton.mount.ifAvailable();
      backButton.mount.ifAvailable();
      miniApp.mountSync.ifAvailable();
      miniApp.ready.ifAvailable();
    }
  } catch {
    // not a Telegram launch (no launch parameters): the page keeps its own colours and buttons
  }
  if (!themed) dark = applyThemeFromHash() ?? dark;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';

  let offMain: VoidFunction | null = null;
  let offBack: VoidFunction | null = null;
  return {
    initData,
    embedded,
    dark,
    setMainButton(button, onClick) {
      if (!embedded) return;
      offMain?.();
      offMain = null;
      if (!button) {
        mainButton.setParams.ifAvailable({ isVisible: false });
        return;
      }
      mainButton.setParams.ifAvailable({
        text: button.text,
        isVisible: true,
        isEnabled: button.enabled,
        isLoaderVisible: button.loading,
      });
      const [called, off] = mainButton.onClick.ifAvailable(onClick);
      offMain = called ? off : null;
    },
    setBackButton(onBack) {
      if (!embedded) return;
      offBack?.();
      offBack = null;
      if (!onBack) {
        backButton.hide.ifAvailable();
        return;
      }
      backButton.show.ifAvailable();
      const [called, off] = backButton.onClick.ifAvailable(onBack);
      offBack = called ? off : null;
    },
  };
}
